import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Writes a file atomically: a temporary file beside it, then a rename (a killed process leaves the old file). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Saves a model in the tfjs layers format (model.json + weights.bin) into `dir`, with plain fs. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights =
        artifacts.weightData === undefined
          ? new Uint8Array(0)
          : new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData));
      const manifest = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      // Weights first: model.json names them, so it must never point at a half-written file.
      await writeFileAtomic(join(dir, WEIGHTS_FILE), weights);
      await writeFileAtomic(join(dir, MODEL_FILE), JSON.stringify(manifest));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/** A model folder that cannot be read; the message names the file and what is wrong. */
export class ModelLoadError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ModelLoadError';
  }
}

async function readOrThrow(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelLoadError(
      file,
      code === 'ENOENT' ? 'not found (expected a model saved by `cam train`)' : (err as Error).message,
    );
  }
}

/** Reads one file of a saved model by its name relative to model.json ('model.json', 'weights.bin'). */
export type ModelFileReader = (name: string) => Promise<Uint8Array>;

/** Loads a model saved by {@link saveModel} from a folder (tfjs format, one weights file). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return loadModelFrom((name) => readOrThrow(join(dir, name)), dir);
}

/** Loads a model saved under `prefix` of an artifact store (@cam/storage's ArtifactStore, or anything with get). */
export async function loadModelFromStore(
  store: { get(key: string): Promise<Uint8Array> },
  prefix: string,
): Promise<tf.LayersModel> {
  return loadModelFrom((name) => store.get(prefix === '' ? name : `${prefix}/${name}`), prefix || '.');
}

/**
 * Loads a model saved by {@link saveModel} from wherever `read` reads its files (an object store, memory);
 * `where` names the place in errors.
 */
export async function loadModelFrom(read: ModelFileReader, where: string): Promise<tf.LayersModel> {
  const modelFile = `${where}/${MODEL_FILE}`;
  let manifest: {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  try {
    manifest = JSON.parse(Buffer.from(await read(MODEL_FILE)).toString('utf8'));
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new ModelLoadError(modelFile, `not valid JSON (${err.message})`);
  }
  const groups = manifest.weightsManifest;
  if (manifest.modelTopology === undefined || !Array.isArray(groups)) {
    throw new ModelLoadError(modelFile, 'not a tfjs layers model (needs modelTopology and weightsManifest)');
  }
  const buffers = await Promise.all(groups.flatMap((g) => g.paths.map((p) => read(p.replace(/^\.\//, '')))));
  const weightData = tf.io.concatenateArrayBuffers(
    buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  );
  const weightSpecs = groups.flatMap((g) => g.weights);
  const expected = weightSpecs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (weightData.byteLength !== expected) {
    throw new ModelLoadError(
      `${where}/${WEIGHTS_FILE}`,
      `holds ${weightData.byteLength} bytes, model.json describes ${expected}`,
    );
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs, weightData }),
  );
}

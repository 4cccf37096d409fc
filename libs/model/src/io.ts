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

/** Loads a model saved by {@link saveModel} (tfjs format, one weights file). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const modelFile = join(dir, MODEL_FILE);
  let manifest: {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  try {
    manifest = JSON.parse((await readOrThrow(modelFile)).toString('utf8'));
  } catch (err) {
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(modelFile, `not valid JSON (${(err as Error).message})`);
  }
  const groups = manifest.weightsManifest;
  if (manifest.modelTopology === undefined || !Array.isArray(groups)) {
    throw new ModelLoadError(modelFile, 'not a tfjs layers model (needs modelTopology and weightsManifest)');
  }
  const buffers = await Promise.all(groups.flatMap((g) => g.paths.map((p) => readOrThrow(join(dir, p)))));
  const weightData = tf.io.concatenateArrayBuffers(
    buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  );
  const weightSpecs = groups.flatMap((g) => g.weights);
  const expected = weightSpecs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (weightData.byteLength !== expected) {
    throw new ModelLoadError(
      join(dir, WEIGHTS_FILE),
      `holds ${weightData.byteLength} bytes, model.json describes ${expected}`,
    );
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs, weightData }),
  );
}

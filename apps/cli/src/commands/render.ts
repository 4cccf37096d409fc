import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RENDER_DEFAULTS } from '@cam/recipe';
import {
  CAM_METHOD_NAMES,
  COLORMAPS,
  type CamInputItem,
  type CamTarget,
  type Normalisation,
  type RenderOptions,
  SEED_RANGE,
  cachedCamHead,
  methodForLayer,
  parseTarget,
  renderCamBatch,
  resolveRenderOptions,
  encodeCamBatch,
} from '@cam/cam';
import { DatasetNotFoundError, type ImageSet, imageAt, loadDataset } from '@cam/dataset';
import { ModelLoadError, NotACamModelError, initBackend, loadModel, loadModelFromStore } from '@cam/model';
import {
  ArtifactNotFoundError,
  ArtifactStoreConfigError,
  NO_RETRY,
  artifactStoreFromUrl,
} from '@cam/storage';
import type * as tf from '@tensorflow/tfjs';
import { type CommandIo, UsageError, choiceFlag, numberFlag, parseFlags } from '../flags.js';

export const RENDER_USAGE = `cam render --model DIR --out DIR [options]
  --model DIR          a trained run folder (model.json + weights.bin), or s3://bucket/runs/<runId>
                       (S3_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY from the environment)
  --out DIR            where item PNGs, montage.png, cams.npy and manifest.json go
  --dataset NAME       mnist | fashion-mnist | a folder of the 4 IDX files (default mnist)
  --split SPLIT        train | test (default test)
  --indices LIST       e.g. 0-15 or 3,7,11-13 (default 0-15)
  --method NAME        ${CAM_METHOD_NAMES.join(' | ')} (default cam)
  --target T           predicted | label | all | a class number (default predicted)
  --layer NAME         the conv layer the method reads, e.g. conv_3 (default the last conv; cam needs it)
  --colormap NAME      ${COLORMAPS.join(' | ')} (default jet)
  --size PX            item PNG side, 28..896 (default 112)
  --alpha A            heat-map weight over the digit, 0..1 (default ${RENDER_DEFAULTS.alpha})
  --interpolation I    bilinear | nearest (default bilinear)
  --normalise MODE     minmax | fixed | percentile (default minmax; fixed when --range is given)
  --range=LO,HI        value range for fixed (default ${SEED_RANGE.join(',')}, the seed's)
  --percentiles LO,HI  for percentile (default 1,99)
  --relu               drop negative values before normalising
  --heatmaps           also write heat-map-only PNGs
  --columns N          montage cells per row (default 8)
  --batch-size N       images per forward pass (default 64)
  --json               print manifest.json instead of the summary`;

const MAX_IMAGES = 10_000;

/** "0-15", "3,7,11-13" -> indices, each checked against the split's size. */
export function parseIndices(text: string, count: number): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match) throw new UsageError(`--indices: '${part}' is not an index or a range like 0-15`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new UsageError(`--indices: range ${from}-${to} runs backwards`);
    if (to >= count)
      throw new UsageError(
        `--indices: ${to} is out of range (the split has ${count} images: 0..${count - 1})`,
      );
    if (out.length + to - from + 1 > MAX_IMAGES)
      throw new UsageError(`--indices: at most ${MAX_IMAGES} images per render`);
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

function pairFlag(name: string, text: string | undefined, fallback: [number, number]): [number, number] {
  if (text === undefined) return fallback;
  const parts = text.split(',');
  if (parts.length !== 2) throw new UsageError(`--${name}: expected two numbers LO,HI, got '${text}'`);
  return [numberFlag(name, parts[0]) as number, numberFlag(name, parts[1]) as number];
}

function normalisationFlag(
  mode: string | undefined,
  range: string | undefined,
  percentiles: string | undefined,
): Normalisation {
  const chosen =
    choiceFlag('normalise', mode, ['minmax', 'fixed', 'percentile'] as const) ??
    (range !== undefined ? 'fixed' : 'minmax');
  if (chosen === 'fixed') return { mode: chosen, range: pairFlag('range', range, SEED_RANGE) };
  if (chosen === 'percentile')
    return { mode: chosen, percentiles: pairFlag('percentiles', percentiles, [1, 99]) };
  return { mode: chosen };
}

const FLAGS = {
  model: { type: 'string' },
  out: { type: 'string' },
  dataset: { type: 'string', default: 'mnist' },
  split: { type: 'string', default: 'test' },
  indices: { type: 'string', default: '0-15' },
  method: { type: 'string' },
  target: { type: 'string', default: 'predicted' },
  layer: { type: 'string' },
  colormap: { type: 'string' },
  size: { type: 'string' },
  alpha: { type: 'string' },
  interpolation: { type: 'string' },
  normalise: { type: 'string' },
  range: { type: 'string' },
  percentiles: { type: 'string' },
  relu: { type: 'boolean', default: false },
  heatmaps: { type: 'boolean', default: false },
  columns: { type: 'string' },
  'batch-size': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** Everything the flags say, checked before any file is read. */
export function parseRenderFlags(argv: string[]) {
  const v = parseFlags(argv, FLAGS);
  if (!v.model) throw new UsageError('--model DIR is required');
  if (!v.out) throw new UsageError('--out DIR is required');
  const options: RenderOptions = {
    method: choiceFlag('method', v.method, CAM_METHOD_NAMES),
    layer: v.layer,
    colormap: choiceFlag('colormap', v.colormap, COLORMAPS),
    size: numberFlag('size', v.size, { integer: true }),
    alpha: numberFlag('alpha', v.alpha),
    interpolation: choiceFlag('interpolation', v.interpolation, ['bilinear', 'nearest'] as const),
    normalisation: normalisationFlag(v.normalise, v.range, v.percentiles),
    relu: v.relu,
    heatmaps: v.heatmaps,
    columns: numberFlag('columns', v.columns, { integer: true }),
    batchSize: numberFlag('batch-size', v['batch-size'], { integer: true }),
  };
  let resolved;
  try {
    // The library's checks (size 28..896, alpha in [0, 1], ...) name the option; say it as a flag.
    resolved = resolveRenderOptions(
      Object.fromEntries(Object.entries(options).filter(([, x]) => x !== undefined)),
    );
  } catch (err) {
    throw new UsageError(`--${(err as Error).message.replace(/^batchSize/, 'batch-size')}`);
  }
  const split = choiceFlag('split', v.split, ['train', 'test'] as const) ?? 'test';
  return {
    modelDir: isStoreUrl(v.model) ? v.model : resolve(v.model),
    out: resolve(v.out),
    dataset: v.dataset,
    split,
    indices: v.indices,
    target: v.target,
    json: v.json,
    options: resolved,
  };
}

/** `--model s3://bucket/runs/<runId>`: a model in an object store (endpoint and credentials from the environment). */
function isStoreUrl(model: string): boolean {
  return model.startsWith('s3://');
}

/** The model and the split; missing or unreadable inputs and non-CAM models are usage errors. */
async function loadInputs(
  modelDir: string,
  dataset: string,
  split: 'train' | 'test',
): Promise<{ model: tf.LayersModel; set: ImageSet }> {
  if (!isStoreUrl(modelDir) && !existsSync(join(modelDir, 'model.json')))
    throw new UsageError(`--model: no model.json in ${modelDir}`);
  try {
    const model = isStoreUrl(modelDir)
      ? await loadModelFromStore(
          artifactStoreFromUrl(modelDir.split('/').slice(0, 3).join('/'), process.env, { retry: NO_RETRY }),
          modelDir.split('/').slice(3).join('/'),
        )
      : await loadModel(modelDir);
    cachedCamHead(model);
    return { model, set: await loadDataset({ dataset, split }) };
  } catch (err) {
    if (
      err instanceof NotACamModelError ||
      err instanceof ModelLoadError ||
      err instanceof ArtifactNotFoundError ||
      err instanceof ArtifactStoreConfigError
    )
      throw new UsageError(`--model: ${err.message}`);
    if (err instanceof DatasetNotFoundError) throw new UsageError(`--dataset: ${err.message}`);
    throw err;
  }
}

/** `cam render`: renders the chosen images of a split with a trained model into --out. */
export async function runRender(argv: string[], io: CommandIo): Promise<number> {
  const args = parseRenderFlags(argv);
  await initBackend();
  const { model, set } = await loadInputs(args.modelDir, args.dataset, args.split);
  let target: CamTarget;
  try {
    target = parseTarget(args.target, cachedCamHead(model).weights.shape[1]);
    methodForLayer(args.options.method, cachedCamHead(model, args.options.layer));
  } catch (err) {
    throw new UsageError(`--${(err as Error).message}`);
  }
  const items: CamInputItem[] = parseIndices(args.indices, set.count).map((index) => ({
    image: imageAt(set, index),
    index,
    label: set.labels[index],
  }));
  const batch = await renderCamBatch(model, items, { ...args.options, target });
  const { files, manifest } = encodeCamBatch(batch);
  await mkdir(args.out, { recursive: true });
  for (const { name, data } of files) await writeFile(join(args.out, name), data);
  if (args.json) {
    io.stdout(`${JSON.stringify(manifest, null, 2)}\n`);
    return 0;
  }
  const rows = manifest.items.map(
    (m) =>
      `${String(m.index).padStart(6)} ${String(m.label ?? '-').padStart(6)} ${String(m.predicted).padStart(10)} ${String(m.target).padStart(7)}  ${m.png}`,
  );
  io.stdout(
    [' index  label  predicted  target  file', ...rows, `${files.length} files in ${args.out}`, ''].join(
      '\n',
    ),
  );
  return 0;
}

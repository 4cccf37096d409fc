import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  CAM_METHOD_NAMES,
  EVALUATION_FILES,
  type CamMethodName,
  evaluateOnDataset,
  formatEvaluationTable,
  isCamMethodName,
  encodeEvaluation,
} from '@cam/cam';
import { DatasetNotFoundError, loadDataset } from '@cam/dataset';
import { ModelLoadError, NotACamModelError, initBackend, loadModel } from '@cam/model';
import { EVALUATION_DEFAULTS } from '@cam/recipe';
import { type CommandIo, UsageError, numberFlag, parseFlags } from '../flags.js';

const D = EVALUATION_DEFAULTS;

export const EVALUATE_USAGE = `cam evaluate --model DIR --out DIR [options]
  --model DIR          a trained run folder (model.json + weights.bin)
  --out DIR            where ${Object.values(EVALUATION_FILES).join(', ')} go
  --methods LIST       comma-separated, from ${CAM_METHOD_NAMES.join(', ')} (default ${D.methods.join(',')})
  --layer NAME         the conv layer the methods read (default the last conv)
  --dataset NAME       mnist | fashion-mnist | a folder of the 4 IDX files (default mnist)
  --count N            the first N test images (default ${D.count})
  --steps N            deletion / insertion steps (default ${D.steps})
  --sanity-count N     images mapped on every randomised model in the sanity check (default ${D.sanityCount})
  --canvas PX          translated-MNIST canvas side for the pointing game and localization, 0 to skip (default ${D.canvas})
  --seed N             seed of the canvases, the random-map baseline, ROAD's noise and the randomised weights (default ${D.seed})
  --json               print evaluation.json instead of the table
Prints a table of every method and the random-map and centred-blob baselines on every metric.`;

const FLAGS = {
  model: { type: 'string' },
  out: { type: 'string' },
  methods: { type: 'string', default: D.methods.join(',') },
  layer: { type: 'string' },
  dataset: { type: 'string', default: 'mnist' },
  count: { type: 'string' },
  steps: { type: 'string' },
  'sanity-count': { type: 'string' },
  canvas: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** Everything the flags say, checked before any file is read. */
export function parseEvaluateFlags(argv: string[]) {
  const v = parseFlags(argv, FLAGS);
  if (!v.model) throw new UsageError('--model DIR is required');
  if (!v.out) throw new UsageError('--out DIR is required');
  const methods = v.methods.split(',').map((name) => name.trim());
  const unknown = methods.find((name) => !isCamMethodName(name));
  if (unknown !== undefined)
    throw new UsageError(`--methods: '${unknown}' is not a method (one of ${CAM_METHOD_NAMES.join(', ')})`);
  const positive = { integer: true, min: 1 };
  return {
    modelDir: resolve(v.model),
    out: resolve(v.out),
    dataset: v.dataset,
    json: v.json,
    options: {
      methods: [...new Set(methods)] as CamMethodName[],
      layer: v.layer,
      count: numberFlag('count', v.count, positive) ?? D.count,
      steps: numberFlag('steps', v.steps, { integer: true, min: 1, max: 784 }) ?? D.steps,
      sanityCount: numberFlag('sanity-count', v['sanity-count'], positive) ?? D.sanityCount,
      canvas: numberFlag('canvas', v.canvas, { integer: true, min: 0, max: 512 }) ?? D.canvas,
      seed: numberFlag('seed', v.seed, { integer: true, min: 0 }) ?? D.seed,
    },
  };
}

/** `cam evaluate`: every chosen method and the baselines on every metric; a table, JSON and curves PNG. */
export async function runEvaluate(argv: string[], io: CommandIo): Promise<number> {
  const args = parseEvaluateFlags(argv);
  if (!existsSync(join(args.modelDir, 'model.json')))
    throw new UsageError(`--model: no model.json in ${args.modelDir}`);
  const { backend } = await initBackend();
  let model;
  let set;
  try {
    model = await loadModel(args.modelDir);
    set = await loadDataset({ dataset: args.dataset, split: 'test' });
  } catch (err) {
    if (err instanceof ModelLoadError) throw new UsageError(`--model: ${err.message}`);
    if (err instanceof DatasetNotFoundError) throw new UsageError(`--dataset: ${err.message}`);
    throw err;
  }
  const started = performance.now();
  let report;
  try {
    report = await evaluateOnDataset(model, set, {
      ...args.options,
      log: (line) => io.stderr(`${line}\n`),
    });
  } catch (err) {
    // Bad layer, a method not defined on it, count beyond the split, or not a CAM model: the flags' fault.
    if (err instanceof NotACamModelError) throw new UsageError(`--model: ${err.message}`);
    if (err instanceof RangeError) throw new UsageError(`--${err.message}`);
    throw err;
  }
  await mkdir(args.out, { recursive: true });
  for (const { name, data } of encodeEvaluation(report)) await writeFile(join(args.out, name), data);
  if (args.json) {
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const seconds = (performance.now() - started) / 1000;
  io.stdout(
    `${args.dataset} test, first ${report.count} images (model accuracy ${((report.accuracy ?? 0) * 100).toFixed(1)} %), layer ${report.layer}, ` +
      `${report.steps} deletion steps, canvases ${report.canvases ?? 'none'}, backend ${backend}, ${seconds.toFixed(1)} s\n` +
      `${formatEvaluationTable(report)}\nwrote ${Object.values(EVALUATION_FILES).join(', ')} in ${args.out}\n`,
  );
  return 0;
}

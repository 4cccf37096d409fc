import type { DatasetName } from '@cam/dataset';
import { TRAIN_DEFAULTS, parseLrSchedule } from '@cam/recipe';
import type { EpochRecord } from '../checkpoint.js';
import { type ArchSpec, resolveArch } from '../arch.js';
import type { BackendPreference } from '../backend.js';
import { checkPositiveInteger } from '../evaluate.js';
import { checkValidationSplit } from '../rules.js';
import { type LrSchedule, OPTIMIZER_NAMES, type OptimizerName, validateSchedule } from '../optimizer.js';
import type { TrainProgress } from './progress.js';

/** The defaults of every training option (@cam/recipe's TRAIN_DEFAULTS, shared with the CLI and the API). */
export const DEFAULT_RECIPE = TRAIN_DEFAULTS;

/** What an {@link TrainOptions.onEpochEnd} hook answers. */
export type EpochVerdict = 'continue' | 'stop';

export interface TrainOptions {
  /** A preset name ('c2', 'c3') or a spec. @defaultValue 'c3' */
  arch?: string | ArchSpec;
  /** @defaultValue 'mnist' */
  dataset?: DatasetName;
  /** Folder holding the dataset's IDX files instead of its usual place. */
  datasetDir?: string;
  /** The first N training images (before the validation split). @defaultValue the whole training split */
  trainSize?: number;
  /** The first N test images. @defaultValue the whole test split */
  testSize?: number;
  /**
   * Trains, validates and tests on translated images: each pasted at a seeded random position on a blank
   * canvas x canvas square (@cam/dataset's translatedSet), the model's input resized to match (a fully
   * convolutional arch such as c3 is built the same). @defaultValue off (the images as they are)
   */
  canvas?: number;
  /** Share of the training images held out (the last ones, as Keras's validation_split). @defaultValue 0.2 */
  validationSplit?: number;
  epochs: number;
  /** @defaultValue DEFAULT_RECIPE.batchSize (16) */
  batchSize?: number;
  /** @defaultValue DEFAULT_RECIPE.learningRate (2e-3) */
  learningRate?: number;
  /** @defaultValue 'adam' */
  optimizer?: OptimizerName;
  /** SGD only. @defaultValue 0.9 */
  momentum?: number;
  /** @defaultValue { kind: 'constant' } */
  lrSchedule?: LrSchedule;
  /** Early stopping: stop after this many epochs without a better validation accuracy, and keep the best epoch's weights. @defaultValue off */
  patience?: number;
  /** Seeds the initialisation and each epoch's shuffle. @defaultValue 1 */
  seed?: number;
  /** Run folder: artifacts, and checkpoint/ while the run is unfinished. */
  outDir: string;
  /** Threads computing each batch's gradients (data parallel). @defaultValue 1 */
  threads?: number;
  /** @defaultValue process.env.CAM_BACKEND ?? 'auto' */
  backend?: BackendPreference;
  onProgress?: (p: TrainProgress) => void;
  /** Aborting stops after the current step, with a checkpoint written; `train` then resolves with status 'aborted'. */
  signal?: AbortSignal;
  /** Lines for a human (backend choice, resume). @defaultValue none */
  log?: (line: string) => void;
  /** Called with the checkpoint folder after each checkpoint is complete (e.g. to copy it to an object store); training waits for it. */
  onCheckpoint?: (dir: string) => Promise<void>;
  /**
   * Per-epoch hook (e.g. an early-stopping scheduler): called after each epoch's validation and before its
   * checkpoint, so a run that crashes in between redoes the epoch and asks again. 'stop' ends training there as
   * if early-stopped: the artifacts are written for the epoch reached.
   */
  onEpochEnd?: (record: EpochRecord) => EpochVerdict | Promise<EpochVerdict>;
}

/** The options with their defaults filled in and checked; the callbacks stay in {@link TrainOptions}. */
export interface ResolvedTrainOptions extends Required<
  Omit<
    TrainOptions,
    | 'arch'
    | 'datasetDir'
    | 'trainSize'
    | 'testSize'
    | 'canvas'
    | 'patience'
    | 'onProgress'
    | 'signal'
    | 'log'
    | 'onCheckpoint'
    | 'onEpochEnd'
    | 'backend'
  >
> {
  arch: ArchSpec;
  datasetDir: string | undefined;
  trainSize: number | undefined;
  testSize: number | undefined;
  canvas: number | undefined;
  patience: number | undefined;
}

/** Fills in the defaults and checks every option, with an error naming the field. */
export function resolveTrainOptions(opts: TrainOptions): ResolvedTrainOptions {
  let arch = resolveArch(opts.arch ?? DEFAULT_RECIPE.arch);
  if (opts.canvas !== undefined) {
    checkPositiveInteger(opts.canvas, 'canvas');
    const [rows, cols, channels] = arch.inputShape;
    if (opts.canvas < Math.max(rows, cols))
      throw new RangeError(
        `canvas: must be at least the images' side ${Math.max(rows, cols)}, got ${opts.canvas}`,
      );
    arch = { ...arch, inputShape: [opts.canvas, opts.canvas, channels] };
  }
  const r: ResolvedTrainOptions = {
    arch,
    dataset: opts.dataset ?? DEFAULT_RECIPE.dataset,
    datasetDir: opts.datasetDir,
    trainSize: opts.trainSize,
    testSize: opts.testSize,
    canvas: opts.canvas,
    validationSplit: opts.validationSplit ?? DEFAULT_RECIPE.validationSplit,
    epochs: opts.epochs,
    batchSize: opts.batchSize ?? DEFAULT_RECIPE.batchSize,
    learningRate: opts.learningRate ?? DEFAULT_RECIPE.learningRate,
    optimizer: opts.optimizer ?? DEFAULT_RECIPE.optimizer,
    momentum: opts.momentum ?? DEFAULT_RECIPE.momentum,
    lrSchedule: opts.lrSchedule ?? parseLrSchedule(DEFAULT_RECIPE.lrSchedule),
    patience: opts.patience,
    seed: opts.seed ?? DEFAULT_RECIPE.seed,
    outDir: opts.outDir,
    threads: opts.threads ?? DEFAULT_RECIPE.threads,
  };
  checkPositiveInteger(r.epochs, 'epochs');
  checkPositiveInteger(r.batchSize, 'batchSize');
  checkPositiveInteger(r.threads, 'threads');
  if (r.trainSize !== undefined) checkPositiveInteger(r.trainSize, 'trainSize');
  if (r.testSize !== undefined) checkPositiveInteger(r.testSize, 'testSize');
  if (r.patience !== undefined) checkPositiveInteger(r.patience, 'patience');
  if (!(r.learningRate > 0 && Number.isFinite(r.learningRate)))
    throw new RangeError(`learningRate: must be a positive number, got ${r.learningRate}`);
  if (!OPTIMIZER_NAMES.includes(r.optimizer))
    throw new RangeError(`optimizer: must be one of ${OPTIMIZER_NAMES.join(', ')}, got '${r.optimizer}'`);
  checkValidationSplit({
    validationSplit: r.validationSplit,
    patience: r.patience,
    trainCount: r.trainSize,
  });
  if (!Number.isInteger(r.seed)) throw new RangeError(`seed: must be an integer, got ${r.seed}`);
  if (typeof r.outDir !== 'string' || r.outDir === '') throw new RangeError('outDir: must be a folder path');
  validateSchedule(r.lrSchedule);
  return r;
}

import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import {
  type DatasetName,
  type ImageSet,
  batchCount,
  batches,
  loadDataset,
  splitValidation,
  takeFirst,
} from '@cam/dataset';
import { TRAIN_DEFAULTS, parseLrSchedule } from '@cam/recipe';
import { type ArchSpec, resolveArch } from './arch.js';
import { type RunMetrics, writeRunArtifacts } from './artifacts.js';
import { type BackendPreference, initBackend } from './backend.js';
import { buildModel, parameterCount } from './build.js';
import {
  type EpochProgress,
  type EpochRecord,
  type TrainState,
  checkpointDir,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
import { checkPositiveInteger, evaluateSet } from './evaluate.js';
import { saveModel } from './io.js';
import {
  Adam,
  type LrSchedule,
  OPTIMIZER_NAMES,
  type OptimizerName,
  SgdMomentum,
  type TrainingOptimizer,
  scheduledRate,
  validateSchedule,
} from './optimizer.js';
import { DataParallelTrainer } from './parallel/index.js';
import { logitsModelOf, trainableVariables } from './parallel/shard.js';

/** Reported after every training step. */
export interface TrainProgress {
  /** 1-based epoch in progress. */
  epoch: number;
  epochs: number;
  /** 1-based step within the epoch. */
  step: number;
  steps: number;
  /** Running means over the epoch so far. */
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

/** The defaults of every training option (@cam/recipe's TRAIN_DEFAULTS, shared with the CLI and the API). */
export const DEFAULT_RECIPE = TRAIN_DEFAULTS;

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
  /**
   * Per-epoch hook (e.g. an early-stopping scheduler): called after each epoch's validation and before its
   * checkpoint, so a run that crashes in between redoes the epoch and asks again. 'stop' ends training there as
   * if early-stopped: the artifacts are written for the epoch reached.
   */
  onEpochEnd?: (record: EpochRecord) => EpochVerdict | Promise<EpochVerdict>;
}

/** What an {@link TrainOptions.onEpochEnd} hook answers. */
export type EpochVerdict = 'continue' | 'stop';

export interface TrainResult {
  status: 'completed' | 'aborted';
  outDir: string;
  /** Epochs completed so far. */
  epochsRun: number;
  /** Present when completed. */
  metrics?: RunMetrics;
}

/** One step's result before the update: mean loss and accuracy of the batch, and the gradients (the caller disposes them). */
export interface Gradients {
  loss: number;
  accuracy: number;
  grads: tf.NamedTensorMap;
}

/**
 * Gradients of the batch's mean softmax cross-entropy (on the pre-softmax logits) with respect to every
 * trainable variable, keyed by variable name.
 */
export function computeGradients(model: tf.LayersModel, xs: tf.Tensor4D, ys: tf.Tensor1D): Gradients {
  const logitsModel = logitsModelOf(model);
  const variables = trainableVariables(model);
  const { value, grads, correct } = tf.tidy(() => {
    let logits: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      logits = tf.keep(logitsModel.apply(xs, { training: true }) as tf.Tensor2D);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(ys, logits.shape[1]!), logits) as tf.Scalar;
    }, variables);
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), tf.cast(ys, 'int32')), 'int32'));
    logits!.dispose();
    return { value, grads, correct };
  });
  const loss = value.dataSync()[0]!;
  const accuracy = correct.dataSync()[0]! / xs.shape[0];
  tf.dispose([value, correct]);
  return { loss, accuracy, grads };
}

/** Applies gradients from {@link computeGradients} and disposes them. */
export function applyGradients(optimizer: tf.Optimizer, grads: tf.NamedTensorMap): void {
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
}

interface Resolved extends Required<
  Omit<
    TrainOptions,
    | 'arch'
    | 'datasetDir'
    | 'trainSize'
    | 'testSize'
    | 'patience'
    | 'onProgress'
    | 'onEpochEnd'
    | 'signal'
    | 'log'
    | 'backend'
  >
> {
  arch: ArchSpec;
  patience: number | undefined;
}

function resolveOptions(opts: TrainOptions): Resolved {
  const r: Resolved = {
    arch: resolveArch(opts.arch ?? DEFAULT_RECIPE.arch),
    dataset: opts.dataset ?? DEFAULT_RECIPE.dataset,
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
  if (opts.trainSize !== undefined) checkPositiveInteger(opts.trainSize, 'trainSize');
  if (opts.testSize !== undefined) checkPositiveInteger(opts.testSize, 'testSize');
  if (r.patience !== undefined) checkPositiveInteger(r.patience, 'patience');
  if (!(r.learningRate > 0 && Number.isFinite(r.learningRate)))
    throw new RangeError(`learningRate: must be a positive number, got ${r.learningRate}`);
  if (!OPTIMIZER_NAMES.includes(r.optimizer))
    throw new RangeError(`optimizer: must be one of ${OPTIMIZER_NAMES.join(', ')}, got '${r.optimizer}'`);
  if (!(r.validationSplit >= 0 && r.validationSplit < 1))
    throw new RangeError(`validationSplit: must be in [0, 1), got ${r.validationSplit}`);
  if (r.patience !== undefined && r.validationSplit === 0)
    throw new RangeError('patience: early stopping needs a validation set (validationSplit > 0)');
  if (!Number.isInteger(r.seed)) throw new RangeError(`seed: must be an integer, got ${r.seed}`);
  if (typeof r.outDir !== 'string' || r.outDir === '') throw new RangeError('outDir: must be a folder path');
  validateSchedule(r.lrSchedule);
  return r;
}

function makeOptimizer(r: Resolved, variables: tf.Variable[]): TrainingOptimizer {
  return r.optimizer === 'adam'
    ? new Adam(variables, r.learningRate)
    : new SgdMomentum(variables, r.learningRate, r.momentum);
}

function readWeights(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
}

function setWeights(model: tf.LayersModel, weights: Float32Array[]): void {
  const tensors = model.getWeights().map((w, i) => tf.tensor(weights[i]!, w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** The options that must match for a checkpoint to be resumed (epochs and patience may change). */
function fingerprintOf(r: Resolved, opts: TrainOptions): Record<string, unknown> {
  return {
    arch: r.arch,
    dataset: r.dataset,
    trainSize: opts.trainSize ?? null,
    validationSplit: r.validationSplit,
    batchSize: r.batchSize,
    learningRate: r.learningRate,
    optimizer: r.optimizer,
    momentum: r.optimizer === 'sgd' ? r.momentum : null,
    lrSchedule: r.lrSchedule,
    seed: r.seed,
    threads: r.threads,
  };
}

function checkFingerprint(
  saved: Record<string, unknown>,
  current: Record<string, unknown>,
  dir: string,
): void {
  for (const key of Object.keys(current)) {
    if (JSON.stringify(saved[key]) !== JSON.stringify(current[key])) {
      throw new Error(
        `${dir} holds a checkpoint of a run with another ${key} (${JSON.stringify(saved[key])}, now ${JSON.stringify(current[key])}): ` +
          'resume with the same options, or use another output folder',
      );
    }
  }
}

async function loadSets(
  r: Resolved,
  opts: TrainOptions,
): Promise<{ train: ImageSet; validation: ImageSet | null; test: ImageSet }> {
  const fullTrain = await loadDataset({ dataset: r.dataset, split: 'train', dir: opts.datasetDir });
  const fullTest = await loadDataset({ dataset: r.dataset, split: 'test', dir: opts.datasetDir });
  const pool =
    opts.trainSize === undefined
      ? fullTrain
      : takeFirst(fullTrain, Math.min(opts.trainSize, fullTrain.count));
  const test =
    opts.testSize === undefined ? fullTest : takeFirst(fullTest, Math.min(opts.testSize, fullTest.count));
  if (r.validationSplit === 0) return { train: pool, validation: null, test };
  const { train, validation } = splitValidation(pool, { fraction: r.validationSplit });
  return { train, validation, test };
}

/**
 * Trains a CAM model with a custom loop (per-batch gradients, then an optimizer step), writing a checkpoint
 * at the end of every epoch (and when aborted) into `outDir/checkpoint`, and resuming from it when present.
 * When done it writes model.json + weights.bin, metrics.json, confusion-train.csv, confusion-test.csv and
 * curves.png into `outDir`, and removes the checkpoint.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const r = resolveOptions(opts);
  const log = opts.log ?? ((): void => undefined);
  const started = performance.now();
  const backend = await initBackend(opts.backend);
  log(`backend: ${backend.backend} (${backend.reason})`);
  const sets = await loadSets(r, opts);
  const model = buildModel(r.arch, { seed: r.seed });
  const variables = trainableVariables(model);
  const optimizer = makeOptimizer(r, variables);
  const parallel =
    r.threads > 1
      ? await DataParallelTrainer.create(model, { threads: r.threads, maxBatch: r.batchSize })
      : null;
  try {
    const ckptDir = checkpointDir(r.outDir);
    const fingerprint = fingerprintOf(r, opts);
    const fresh = (): EpochProgress => ({ step: 0, lossSum: 0, correct: 0, seen: 0 });
    let state: TrainState = {
      epoch: 0,
      partial: fresh(),
      history: [],
      best: null,
      sinceBest: 0,
      weights: [],
      optimizer: optimizer.getState(),
      seconds: 0,
      fingerprint,
    };
    const saved = await readCheckpoint(ckptDir);
    if (saved !== null) {
      checkFingerprint(saved.fingerprint, fingerprint, r.outDir);
      setWeights(model, saved.weights);
      optimizer.setState(saved.optimizer);
      state = saved;
      log(`resuming from ${ckptDir}: epoch ${saved.epoch} done, step ${saved.partial.step} of the next`);
    }
    const steps = batchCount(sets.train.count, r.batchSize);
    const totalSteps = steps * r.epochs;
    const secondsBefore = state.seconds;
    const processStart = performance.now();
    let imagesThisProcess = 0;
    const checkpoint = async () => {
      state.weights = readWeights(model);
      state.optimizer = optimizer.getState();
      state.seconds = secondsBefore + (performance.now() - processStart) / 1000;
      await writeCheckpoint(ckptDir, state);
    };
    const stopEarly = () => r.patience !== undefined && state.sinceBest >= r.patience;

    let stoppedByHook = false;
    while (state.epoch < r.epochs && !stopEarly() && !stoppedByHook) {
      const epoch = state.epoch + 1;
      const epochStart = performance.now();
      const p = state.partial;
      let learningRate = r.learningRate;
      let step = 0;
      for (const { xs, ys } of batches(sets.train, { batchSize: r.batchSize, seed: r.seed, epoch })) {
        step++;
        if (step <= p.step) {
          tf.dispose([xs, ys]); // done before the checkpoint this run resumed from
          continue;
        }
        learningRate = scheduledRate(
          r.learningRate,
          r.lrSchedule,
          epoch - 1,
          ((epoch - 1) * steps + step - 1) / totalSteps,
        );
        optimizer.learningRate = learningRate;
        let loss: number;
        let accuracy: number;
        if (parallel) {
          ({ loss, accuracy } = await parallel.step(xs, ys, optimizer));
        } else {
          const g = computeGradients(model, xs, ys);
          applyGradients(optimizer, g.grads);
          ({ loss, accuracy } = g);
        }
        const size = xs.shape[0];
        tf.dispose([xs, ys]);
        p.step = step;
        p.lossSum += loss * size;
        p.correct += accuracy * size;
        p.seen += size;
        imagesThisProcess += size;
        const imagesPerSecond = imagesThisProcess / ((performance.now() - processStart) / 1000);
        const stepsLeft = totalSteps - ((epoch - 1) * steps + step);
        opts.onProgress?.({
          epoch,
          epochs: r.epochs,
          step,
          steps,
          loss: p.lossSum / p.seen,
          accuracy: p.correct / p.seen,
          imagesPerSecond,
          etaSeconds: (stepsLeft * r.batchSize) / imagesPerSecond,
        });
        if (opts.signal?.aborted && step < steps) {
          await checkpoint();
          return { status: 'aborted', outDir: r.outDir, epochsRun: state.epoch };
        }
      }
      const record: EpochRecord = {
        epoch,
        loss: p.lossSum / p.seen,
        accuracy: p.correct / p.seen,
        learningRate,
        seconds: (performance.now() - epochStart) / 1000,
      };
      if (sets.validation) {
        const v = evaluateSet(model, sets.validation);
        record.valLoss = v.loss;
        record.valAccuracy = v.accuracy;
        if (state.best === null || v.accuracy > state.best.valAccuracy) {
          state.best = { epoch, valAccuracy: v.accuracy, weights: readWeights(model) };
          state.sinceBest = 0;
        } else {
          state.sinceBest++;
        }
      }
      state.history.push(record);
      state.epoch = epoch;
      state.partial = fresh();
      if ((await opts.onEpochEnd?.(record)) === 'stop') stoppedByHook = true;
      await checkpoint();
      log(
        `epoch ${epoch}/${r.epochs}: loss ${record.loss.toFixed(4)} accuracy ${record.accuracy.toFixed(4)}` +
          (record.valAccuracy === undefined
            ? ''
            : ` val_loss ${record.valLoss!.toFixed(4)} val_accuracy ${record.valAccuracy.toFixed(4)}`),
      );
      if (opts.signal?.aborted && state.epoch < r.epochs)
        return { status: 'aborted', outDir: r.outDir, epochsRun: state.epoch };
    }

    const stoppedEarly = state.epoch < r.epochs;
    let keptEpoch = state.epoch;
    if (r.patience !== undefined && state.best !== null) {
      setWeights(model, state.best.weights);
      keptEpoch = state.best.epoch;
    }
    const trainEval = evaluateSet(model, sets.train);
    const testEval = evaluateSet(model, sets.test);
    const validationAccuracy = sets.validation ? evaluateSet(model, sets.validation).accuracy : null;
    await saveModel(model, r.outDir);
    const metrics: RunMetrics = {
      arch: r.arch.name,
      archSpec: r.arch,
      params: parameterCount(model),
      dataset: r.dataset,
      backend: backend.backend,
      backendReason: backend.reason,
      epochs: r.epochs,
      epochsRun: state.epoch,
      stoppedEarly,
      keptEpoch,
      trainSize: sets.train.count,
      validationSize: sets.validation?.count ?? 0,
      testSize: sets.test.count,
      trainAccuracy: trainEval.accuracy,
      trainLoss: trainEval.loss,
      validationAccuracy,
      testAccuracy: testEval.accuracy,
      testLoss: testEval.loss,
      wallSeconds: secondsBefore + (performance.now() - started) / 1000,
      history: state.history,
      recipe: {
        optimizer: r.optimizer,
        learningRate: r.learningRate,
        momentum: r.optimizer === 'sgd' ? r.momentum : null,
        lrSchedule: r.lrSchedule,
        batchSize: r.batchSize,
        validationSplit: r.validationSplit,
        patience: r.patience ?? null,
        seed: r.seed,
        threads: r.threads,
      },
    };
    await writeRunArtifacts(r.outDir, metrics, { train: trainEval.confusion, test: testEval.confusion });
    await rm(ckptDir, { recursive: true, force: true });
    return { status: 'completed', outDir: r.outDir, epochsRun: state.epoch, metrics };
  } finally {
    await parallel?.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

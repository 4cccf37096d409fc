import { rm } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import { type RunMetrics, writeRunArtifacts } from '../artifacts.js';
import type { BackendChoice } from '../backend.js';
import { parameterCount } from '../build.js';
import type { TrainState } from '../checkpoint.js';
import { type SetEvaluation, evaluateSet } from '../evaluate.js';
import { saveModel } from '../io.js';
import type { TrainingSets } from './data.js';
import { keptEpoch } from './early-stopping.js';
import type { ResolvedTrainOptions } from './options.js';
import { setWeights } from './resume.js';

/** The finished model evaluated on each set. */
export interface RunEvaluation {
  train: SetEvaluation;
  test: SetEvaluation;
  validationAccuracy: number | null;
}

export function evaluateRun(model: tf.LayersModel, sets: TrainingSets): RunEvaluation {
  return {
    train: evaluateSet(model, sets.train),
    test: evaluateSet(model, sets.test),
    validationAccuracy: sets.validation ? evaluateSet(model, sets.validation).accuracy : null,
  };
}

/** metrics.json's content. */
export function runMetrics(run: {
  r: ResolvedTrainOptions;
  params: number;
  backend: BackendChoice;
  state: Pick<TrainState, 'epoch' | 'history'>;
  keptEpoch: number;
  sets: TrainingSets;
  evaluation: RunEvaluation;
  wallSeconds: number;
}): RunMetrics {
  const { r, state, sets, evaluation } = run;
  return {
    arch: r.arch.name,
    archSpec: r.arch,
    params: run.params,
    dataset: r.dataset,
    backend: run.backend.backend,
    backendReason: run.backend.reason,
    ...(run.backend.kernels ? { kernels: run.backend.kernels } : {}),
    epochs: r.epochs,
    epochsRun: state.epoch,
    stoppedEarly: state.epoch < r.epochs,
    keptEpoch: run.keptEpoch,
    trainSize: sets.train.count,
    validationSize: sets.validation?.count ?? 0,
    testSize: sets.test.count,
    trainAccuracy: evaluation.train.accuracy,
    trainLoss: evaluation.train.loss,
    validationAccuracy: evaluation.validationAccuracy,
    testAccuracy: evaluation.test.accuracy,
    testLoss: evaluation.test.loss,
    wallSeconds: run.wallSeconds,
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
}

/**
 * Ends a finished run: keeps the best epoch's weights under early stopping, evaluates, writes model.json +
 * weights.bin, metrics.json, the confusion matrices and curves.png into `outDir`, and removes the checkpoint.
 */
export async function finishRun(run: {
  model: tf.LayersModel;
  r: ResolvedTrainOptions;
  backend: BackendChoice;
  state: TrainState;
  sets: TrainingSets;
  ckptDir: string;
  /** Read once the model is saved, so the seconds include evaluating and saving it. */
  wallSeconds: () => number;
}): Promise<RunMetrics> {
  const { model, r, state } = run;
  const kept = keptEpoch(r.patience, state);
  if (kept.weights !== null) setWeights(model, kept.weights);
  const evaluation = evaluateRun(model, run.sets);
  await saveModel(model, r.outDir);
  const metrics = runMetrics({
    r,
    params: parameterCount(model),
    backend: run.backend,
    state,
    keptEpoch: kept.epoch,
    sets: run.sets,
    evaluation,
    wallSeconds: run.wallSeconds(),
  });
  await writeRunArtifacts(r.outDir, metrics, {
    train: evaluation.train.confusion,
    test: evaluation.test.confusion,
  });
  await rm(run.ckptDir, { recursive: true, force: true });
  return metrics;
}

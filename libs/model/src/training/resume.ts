import * as tf from '@tensorflow/tfjs';
import { type EpochProgress, type TrainState, readCheckpoint, writeCheckpoint } from '../checkpoint.js';
import type { TrainingOptimizer } from '../optimizer.js';
import type { ResolvedTrainOptions } from './options.js';

export function readWeights(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
}

export function setWeights(model: tf.LayersModel, weights: Float32Array[]): void {
  const tensors = model.getWeights().map((w, i) => tf.tensor(weights[i]!, w.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** An epoch with no step done. */
export function freshProgress(): EpochProgress {
  return { step: 0, lossSum: 0, correct: 0, seen: 0 };
}

/** The options that must match for a checkpoint to be resumed (epochs and patience may change). */
export function fingerprintOf(r: ResolvedTrainOptions): Record<string, unknown> {
  return {
    arch: r.arch,
    dataset: r.dataset,
    trainSize: r.trainSize ?? null,
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

/** Throws, naming the first option that differs, when a checkpoint was taken with other options. */
export function checkFingerprint(
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

/**
 * The state to train from: the checkpoint in `ckptDir` (its weights and optimizer state loaded into `model`
 * and `optimizer`) when there is one taken with the same options, else a fresh start.
 */
export async function startOrResume(
  ckptDir: string,
  r: ResolvedTrainOptions,
  model: tf.LayersModel,
  optimizer: TrainingOptimizer,
  log: (line: string) => void,
): Promise<TrainState> {
  const fingerprint = fingerprintOf(r);
  const saved = await readCheckpoint(ckptDir);
  if (saved === null) {
    return {
      epoch: 0,
      partial: freshProgress(),
      history: [],
      best: null,
      sinceBest: 0,
      weights: [],
      optimizer: optimizer.getState(),
      seconds: 0,
      fingerprint,
    };
  }
  checkFingerprint(saved.fingerprint, fingerprint, r.outDir);
  setWeights(model, saved.weights);
  optimizer.setState(saved.optimizer);
  log(`resuming from ${ckptDir}: epoch ${saved.epoch} done, step ${saved.partial.step} of the next`);
  return saved;
}

/** Writes `state` with the model's weights, the optimizer's state and the training seconds so far. */
export async function saveCheckpoint(
  ckptDir: string,
  state: TrainState,
  model: tf.LayersModel,
  optimizer: TrainingOptimizer,
  seconds: number,
): Promise<void> {
  state.weights = readWeights(model);
  state.optimizer = optimizer.getState();
  state.seconds = seconds;
  await writeCheckpoint(ckptDir, state);
}

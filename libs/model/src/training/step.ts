import * as tf from '@tensorflow/tfjs';
import { Adam, SgdMomentum, type TrainingOptimizer } from '../optimizer.js';
import { DataParallelTrainer, type StepResult } from '../parallel/data-parallel.js';
import { type GradientTarget, gradientTargetOf, lossGradients } from '../parallel/shard.js';
import type { ResolvedTrainOptions } from './options.js';

/** One step's result before the update: mean loss and accuracy of the batch, and the gradients (the caller disposes them). */
export interface Gradients {
  loss: number;
  accuracy: number;
  grads: tf.NamedTensorMap;
}

/**
 * Gradients of the batch's mean softmax cross-entropy (on the pre-softmax logits) with respect to every
 * trainable variable, keyed by variable name. `target` comes from `gradientTargetOf(model)`, once per model.
 */
export function computeGradients(target: GradientTarget, xs: tf.Tensor4D, ys: tf.Tensor1D): Gradients {
  const batchSize = xs.shape[0];
  const { lossShare, correct, grads } = lossGradients(target, xs, ys, batchSize);
  return { loss: lossShare, accuracy: correct / batchSize, grads };
}

/** Applies gradients from {@link computeGradients} and disposes them. */
export function applyGradients(optimizer: tf.Optimizer, grads: tf.NamedTensorMap): void {
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
}

export function makeOptimizer(
  r: Pick<ResolvedTrainOptions, 'optimizer' | 'learningRate' | 'momentum'>,
  variables: tf.Variable[],
): TrainingOptimizer {
  return r.optimizer === 'adam'
    ? new Adam(variables, r.learningRate)
    : new SgdMomentum(variables, r.learningRate, r.momentum);
}

/** One optimizer update per batch, on this thread or data parallel over worker threads. */
export interface TrainingStep {
  step(xs: tf.Tensor4D, ys: tf.Tensor1D): Promise<StepResult>;
  dispose(): Promise<void>;
}

/** The training step of `model` with `optimizer`: this thread alone when `threads` is 1. */
export async function createTrainingStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  opts: { threads: number; maxBatch: number },
): Promise<TrainingStep> {
  if (opts.threads > 1) {
    const parallel = await DataParallelTrainer.create(model, opts);
    return { step: (xs, ys) => parallel.step(xs, ys, optimizer), dispose: () => parallel.dispose() };
  }
  const target = gradientTargetOf(model);
  return {
    step: async (xs, ys) => {
      const { loss, accuracy, grads } = computeGradients(target, xs, ys);
      applyGradients(optimizer, grads);
      return { loss, accuracy };
    },
    dispose: async () => undefined,
  };
}

import * as tf from '@tensorflow/tfjs';
import { type ImageSet, batchCount, batches } from '@cam/dataset';
import type { EpochProgress } from '../checkpoint.js';
import { type TrainingOptimizer, scheduledRate } from '../optimizer.js';
import type { ResolvedTrainOptions } from './options.js';
import type { RunClock, TrainProgress } from './progress.js';
import type { TrainingStep } from './step.js';

export interface EpochLoop {
  set: ImageSet;
  r: Pick<ResolvedTrainOptions, 'batchSize' | 'seed' | 'epochs' | 'learningRate' | 'lrSchedule'>;
  trainingStep: TrainingStep;
  optimizer: TrainingOptimizer;
  clock: RunClock;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

/** How an epoch ended: all its steps done (with the last step's learning rate), or aborted before its last step. */
export type EpochOutcome = { kind: 'done'; learningRate: number } | { kind: 'aborted' };

/**
 * Trains epoch `epoch` (1-based) from the step after `progress.step` (the checkpoint this run resumed from)
 * to its end, adding each step's loss and accuracy to `progress` and reporting after every step.
 */
export async function runEpoch(
  loop: EpochLoop,
  epoch: number,
  progress: EpochProgress,
): Promise<EpochOutcome> {
  const { r, clock } = loop;
  const steps = batchCount(loop.set.count, r.batchSize);
  const totalSteps = steps * r.epochs;
  let learningRate = r.learningRate;
  let step = 0;
  for (const { xs, ys } of batches(loop.set, { batchSize: r.batchSize, seed: r.seed, epoch })) {
    step++;
    if (step <= progress.step) {
      tf.dispose([xs, ys]); // done before the checkpoint this run resumed from
      continue;
    }
    learningRate = scheduledRate(
      r.learningRate,
      r.lrSchedule,
      epoch - 1,
      ((epoch - 1) * steps + step - 1) / totalSteps,
    );
    loop.optimizer.learningRate = learningRate;
    const { loss, accuracy } = await loop.trainingStep.step(xs, ys);
    const size = xs.shape[0];
    tf.dispose([xs, ys]);
    progress.step = step;
    progress.lossSum += loss * size;
    progress.correct += accuracy * size;
    progress.seen += size;
    clock.countImages(size);
    loop.onProgress?.({
      epoch,
      epochs: r.epochs,
      step,
      steps,
      loss: progress.lossSum / progress.seen,
      accuracy: progress.correct / progress.seen,
      imagesPerSecond: clock.imagesPerSecond(),
      etaSeconds: clock.etaSeconds(totalSteps - ((epoch - 1) * steps + step), r.batchSize),
    });
    if (loop.signal?.aborted && step < steps) return { kind: 'aborted' };
  }
  return { kind: 'done', learningRate };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '@cam/dataset';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainState } from '../src/checkpoint.js';
import { buildModel, initBackend } from '../src/index.js';
import { gradientTargetOf, lossGradients, shardGradients } from '../src/parallel/shard.js';
import { keptEpoch, noteValidationAccuracy, stopsEarly } from '../src/training/early-stopping.js';
import { runEpoch } from '../src/training/epoch.js';
import { DEFAULT_RECIPE, resolveTrainOptions } from '../src/training/options.js';
import { RunClock, type TrainProgress } from '../src/training/progress.js';
import {
  checkFingerprint,
  fingerprintOf,
  freshProgress,
  readWeights,
  saveCheckpoint,
  startOrResume,
} from '../src/training/resume.js';
import { computeGradients, makeOptimizer } from '../src/training/step.js';

const root = mkdtempSync(join(tmpdir(), 'cam-model-steps-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny = {
  name: 'tiny',
  inputShape: [8, 8, 1] as [number, number, number],
  convs: [{ filters: 2, kernelSize: 3 }],
  classes: 3,
};

/** `count` 8x8 images with pixel value = index and label = index mod 3. */
function imageSet(count: number): ImageSet {
  const images = new Uint8Array(count * 64);
  for (let i = 0; i < count; i++) images.fill(i * 7, i * 64, (i + 1) * 64);
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i % 3), count, rows: 8, cols: 8 };
}

describe('options resolution', () => {
  it('fills in the default recipe and keeps what is given', () => {
    const r = resolveTrainOptions({ epochs: 2, outDir: 'out', trainSize: 100 });
    expect(r).toMatchObject({
      dataset: 'mnist',
      batchSize: DEFAULT_RECIPE.batchSize,
      learningRate: DEFAULT_RECIPE.learningRate,
      optimizer: DEFAULT_RECIPE.optimizer,
      validationSplit: DEFAULT_RECIPE.validationSplit,
      seed: DEFAULT_RECIPE.seed,
      threads: 1,
      trainSize: 100,
      testSize: undefined,
      patience: undefined,
      lrSchedule: { kind: 'constant' },
    });
    expect(r.arch.name).toBe('c3');
  });

  it('names the field of a bad option', () => {
    expect(() => resolveTrainOptions({ epochs: 1, outDir: 'o', threads: 0 })).toThrow(/threads: must be/);
    expect(() => resolveTrainOptions({ epochs: 1, outDir: 'o', testSize: 1.5 })).toThrow(/testSize: must/);
    expect(() => resolveTrainOptions({ epochs: 1, outDir: '' })).toThrow(/outDir: must be a folder path/);
    expect(() => resolveTrainOptions({ epochs: 1, outDir: 'o', validationSplit: 1 })).toThrow(
      /validationSplit: must be in \[0, 1\), got 1/,
    );
  });
});

describe('ETA and training seconds', () => {
  it('measures throughput in this process and adds the seconds of the processes before it', () => {
    let now = 1000;
    const clock = new RunClock(30, () => now);
    now += 2000;
    clock.countImages(32);
    clock.countImages(32);
    expect(clock.imagesPerSecond()).toBe(32);
    expect(clock.etaSeconds(10, 16)).toBe(5);
    expect(clock.totalSeconds()).toBe(32);
  });
});

describe('early stopping', () => {
  it('keeps the best epoch, counts the epochs since, and stops after `patience` of them', () => {
    const state: Pick<TrainState, 'best' | 'sinceBest' | 'epoch'> = { best: null, sinceBest: 0, epoch: 0 };
    const weightsOf = (v: number) => () => [Float32Array.of(v)];
    const accuracies = [0.5, 0.7, 0.6, 0.7, 0.65];
    const stops: boolean[] = [];
    accuracies.forEach((a, i) => {
      noteValidationAccuracy(state, i + 1, a, weightsOf(i + 1));
      state.epoch = i + 1;
      stops.push(stopsEarly(2, state));
    });
    expect(stops).toEqual([false, false, false, true, true]);
    expect(state.sinceBest).toBe(3);
    expect(keptEpoch(2, state)).toEqual({ epoch: 2, weights: [Float32Array.of(2)] });
    expect(keptEpoch(undefined, state)).toEqual({ epoch: 5, weights: null });
    expect(stopsEarly(undefined, state)).toBe(false);
  });
});

describe('checkpoint fingerprint and resume', () => {
  beforeAll(() => initBackend());

  it('accepts other epochs and patience, and refuses another seed naming it', () => {
    const r = resolveTrainOptions({ arch: tiny, epochs: 2, outDir: 'run', seed: 3 });
    const saved = fingerprintOf(r);
    expect(() =>
      checkFingerprint(saved, fingerprintOf({ ...r, epochs: 9, patience: 2 }), 'run'),
    ).not.toThrow();
    expect(() => checkFingerprint(saved, fingerprintOf({ ...r, seed: 4 }), 'run')).toThrow(
      /run holds a checkpoint of a run with another seed \(3, now 4\)/,
    );
  });

  it('starts fresh without a checkpoint, and resumes weights, optimizer and progress from one', async () => {
    const dir = join(root, 'resume');
    const r = resolveTrainOptions({ arch: tiny, epochs: 2, outDir: dir, optimizer: 'sgd' });
    const model = buildModel(tiny, { seed: 1 });
    const optimizer = makeOptimizer(r, gradientTargetOf(model).variables);
    const state = await startOrResume(join(dir, 'checkpoint'), r, model, optimizer, () => undefined);
    expect(state).toMatchObject({ epoch: 0, partial: freshProgress(), history: [], best: null, seconds: 0 });

    const target = gradientTargetOf(model);
    const xs = tf.ones([2, 8, 8, 1]) as tf.Tensor4D;
    const ys = tf.tensor1d([0, 2], 'int32');
    optimizer.applyGradients(computeGradients(target, xs, ys).grads);
    state.partial = { step: 1, lossSum: 2, correct: 1, seen: 2 };
    await saveCheckpoint(join(dir, 'checkpoint'), state, model, optimizer, 12.5);

    const other = buildModel(tiny, { seed: 1 });
    const otherOptimizer = makeOptimizer(r, gradientTargetOf(other).variables);
    const lines: string[] = [];
    const resumed = await startOrResume(join(dir, 'checkpoint'), r, other, otherOptimizer, (l) =>
      lines.push(l),
    );
    expect(resumed).toMatchObject({ epoch: 0, partial: state.partial, seconds: 12.5 });
    expect(readWeights(other)).toEqual(readWeights(model));
    expect(otherOptimizer.getState()).toEqual(optimizer.getState());
    expect(lines).toEqual([expect.stringMatching(/resuming from .*: epoch 0 done, step 1 of the next/)]);
    tf.dispose([xs, ys]);
    [model, other].forEach((m) => m.dispose());
    [optimizer, otherOptimizer].forEach((o) => o.dispose());
  });
});

describe('gradients', () => {
  beforeAll(() => initBackend());

  it('computeGradients is the mean cross-entropy gradient, and two shards of it sum to it', () => {
    const model = buildModel(tiny, { seed: 2 });
    const target = gradientTargetOf(model);
    const set = imageSet(6);
    const xs = tf.tensor4d(
      Float32Array.from(set.images, (v) => v / 255),
      [6, 8, 8, 1],
    );
    const ys = tf.tensor1d(Array.from(set.labels), 'int32');
    const g = computeGradients(target, xs, ys);
    // Reference: Keras-style mean loss on the softmax output's logits via the default reduction.
    const reference = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy(
          tf.oneHot(ys, 3),
          target.logitsModel.apply(xs, { training: true }) as tf.Tensor2D,
        ) as tf.Scalar,
      target.variables,
    );
    expect(g.loss).toBeCloseTo(reference.value.dataSync()[0]!, 6);
    const parameters = target.variables.reduce((n, v) => n + v.size, 0);
    const a = new Float32Array(parameters);
    const b = new Float32Array(parameters);
    const half = (t: tf.Tensor, from: number) => t.slice(from, 3) as never;
    const sa = shardGradients(target, half(xs, 0), half(ys, 0), 6, a);
    const sb = shardGradients(target, half(xs, 3), half(ys, 3), 6, b);
    expect(sa.lossShare + sb.lossShare).toBeCloseTo(g.loss, 6);
    let offset = 0;
    for (const v of target.variables) {
      const whole = g.grads[v.name]!.dataSync();
      const ref = reference.grads[v.name]!.dataSync();
      whole.forEach((x, i) => {
        expect(x).toBeCloseTo(ref[i]!, 6);
        expect(a[offset + i]! + b[offset + i]!).toBeCloseTo(x, 6);
      });
      offset += v.size;
    }
    const { grads, ...counts } = lossGradients(target, xs, ys, 6);
    expect(counts.correct).toBe(Math.round(g.accuracy * 6));
    tf.dispose([xs, ys, reference.value, ...Object.values(reference.grads), ...Object.values(g.grads)]);
    tf.dispose(Object.values(grads));
    model.dispose();
  });
});

describe('the step loop', () => {
  beforeAll(() => initBackend());

  /** A training step that records the batch sizes it is given and answers a fixed loss and accuracy. */
  function recordingStep() {
    const sizes: number[] = [];
    return {
      sizes,
      trainingStep: {
        step: async (xs: tf.Tensor4D) => {
          sizes.push(xs.shape[0]);
          return { loss: 0.5, accuracy: 0.25 };
        },
        dispose: async () => undefined,
      },
    };
  }

  const r = resolveTrainOptions({ arch: tiny, epochs: 2, outDir: 'o', batchSize: 4, seed: 1 });

  it('runs the epoch from the step after the resumed one, accumulating and reporting every step', async () => {
    const { sizes, trainingStep } = recordingStep();
    const model = buildModel(tiny, { seed: 1 });
    const optimizer = makeOptimizer(r, gradientTargetOf(model).variables);
    const progress: TrainProgress[] = [];
    const p = { step: 1, lossSum: 2, correct: 1, seen: 4 };
    const outcome = await runEpoch(
      {
        set: imageSet(10),
        r,
        trainingStep,
        optimizer,
        clock: new RunClock(0),
        onProgress: (x) => progress.push(x),
      },
      2,
      p,
    );
    expect(outcome).toEqual({ kind: 'done', learningRate: r.learningRate });
    expect(sizes).toEqual([4, 2]);
    expect(p).toEqual({ step: 3, lossSum: 2 + 0.5 * 6, correct: 1 + 0.25 * 6, seen: 10 });
    expect(progress.map((x) => [x.epoch, x.step, x.steps])).toEqual([
      [2, 2, 3],
      [2, 3, 3],
    ]);
    expect(progress[1]!.etaSeconds).toBe(0);
    model.dispose();
    optimizer.dispose();
  });

  it('stops after the current step when aborted, unless it was the last', async () => {
    const model = buildModel(tiny, { seed: 1 });
    const optimizer = makeOptimizer(r, gradientTargetOf(model).variables);
    const run = async (abortAtStep: number) => {
      const { sizes, trainingStep } = recordingStep();
      const controller = new AbortController();
      const outcome = await runEpoch(
        {
          set: imageSet(10),
          r,
          trainingStep,
          optimizer,
          clock: new RunClock(0),
          signal: controller.signal,
          onProgress: (x) => x.step === abortAtStep && controller.abort(),
        },
        1,
        freshProgress(),
      );
      return { outcome, steps: sizes.length };
    };
    expect(await run(1)).toEqual({ outcome: { kind: 'aborted' }, steps: 1 });
    expect(await run(3)).toEqual({ outcome: { kind: 'done', learningRate: r.learningRate }, steps: 3 });
    model.dispose();
    optimizer.dispose();
  });
});

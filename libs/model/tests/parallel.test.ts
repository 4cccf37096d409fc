import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmKernels } from '../src/kernels/index.js';
import { DataParallelTrainer } from '../src/parallel/index.js';

/** A small CAM-shaped network (conv-ReLU x2, GAP, bias-free dense, softmax) with fixed initial weights. */
function smallCamModel(): tf.LayersModel {
  const input = tf.input({ shape: [12, 10, 1] });
  let h = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input) as tf.SymbolicTensor;
  h = tf.layers
    .conv2d({
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .dense({ units: 10, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
    .apply(h) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'softmax' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function batch(seed: number, size: number): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  return {
    xs: tf.randomUniform([size, 12, 10, 1], 0, 1, 'float32', seed) as tf.Tensor4D,
    ys: tf.randomUniform([size], 0, 10, 'int32', seed + 1) as tf.Tensor1D,
  };
}

/** Trains a fresh model for `steps` Adam steps on fixed batches; returns the losses and final weights. */
async function train(threads: number, steps: number): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const model = smallCamModel();
  const trainer = await DataParallelTrainer.create(model, { threads, maxBatch: 32 });
  // Workers run the same kernels as this thread (oneDNN's where the addon builds).
  expect(trainer.workerKernels).toEqual(new Array(threads - 1).fill(registerWasmKernels().set));
  const optimizer = tf.train.adam(0.01);
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const { xs, ys } = batch(100 + s, 30);
      const result = await trainer.step(xs, ys, optimizer);
      expect(result.accuracy).toBeGreaterThanOrEqual(0);
      expect(result.accuracy).toBeLessThanOrEqual(1);
      losses.push(result.loss);
      tf.dispose([xs, ys]);
    }
    return { losses, weights: model.getWeights().map((w) => w.dataSync() as Float32Array) };
  } finally {
    await trainer.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

describe('data-parallel training over worker threads', () => {
  beforeAll(async () => {
    registerWasmKernels();
    await tf.setBackend('wasm');
  });
  afterAll(() => undefined);

  it('2 and 3 threads follow the 1-thread run step for step (losses and weights within 1e-4)', async () => {
    const one = await train(1, 4);
    for (const threads of [2, 3]) {
      const many = await train(threads, 4);
      many.losses.forEach((loss, s) =>
        expect(Math.abs(loss - one.losses[s]!)).toBeLessThan(1e-4 * Math.abs(one.losses[s]!)),
      );
      many.weights.forEach((w, k) => {
        const ref = one.weights[k]!;
        const scale = Math.max(...Array.from(ref, Math.abs));
        const diff = Math.max(...Array.from(w, (v, i) => Math.abs(v - ref[i]!)));
        expect(diff / scale, `weights ${k}, ${threads} threads`).toBeLessThan(1e-4);
      });
    }
    // The run really trains: the loss on the fixed batches moves.
    expect(one.losses[3]).not.toBeCloseTo(one.losses[0]!, 3);
  });

  it('rejects a bad thread count and an oversized batch with clear errors', async () => {
    const model = smallCamModel();
    await expect(DataParallelTrainer.create(model, { threads: 0 })).rejects.toThrow(
      /threads: must be a positive integer, got 0/,
    );
    const trainer = await DataParallelTrainer.create(model, { threads: 1, maxBatch: 8 });
    const { xs, ys } = batch(1, 9);
    await expect(trainer.step(xs, ys, tf.train.sgd(0.1))).rejects.toThrow(/batch of 9 exceeds maxBatch 8/);
    await trainer.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

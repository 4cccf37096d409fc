import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type Batch, batchCount, batches } from '../src/index.js';
import { tinySet } from './fixtures.js';

const set = tinySet(
  Array.from({ length: 23 }, (_, i) => i % 10),
  3,
  2,
);

function collect(gen: Generator<Batch>): { order: number[]; sizes: number[] } {
  const order: number[] = [];
  const sizes: number[] = [];
  for (const { xs, ys, indices } of gen) {
    order.push(...indices);
    sizes.push(indices.length);
    xs.dispose();
    ys.dispose();
  }
  return { order, sizes };
}

describe('batches', () => {
  it('converts pixels to float32 [B, rows, cols, 1] in [0, 1] and labels to int32', () => {
    const first = batches(set, { batchSize: 4, seed: 3 }).next().value as Batch;
    expect(first.xs.shape).toEqual([4, 3, 2, 1]);
    expect(first.xs.dtype).toBe('float32');
    expect(first.ys.dtype).toBe('int32');
    const xs = first.xs.dataSync();
    const ys = first.ys.dataSync();
    first.indices.forEach((index, b) => {
      expect(xs[b * 6 + 5]).toBeCloseTo(index / 255, 6); // tinySet: image i has every pixel = i
      expect(ys[b]).toBe(index % 10);
    });
    tf.dispose([first.xs, first.ys]);
  });

  it('visits every index exactly once per epoch, in an order fixed by (seed, epoch)', () => {
    const e0 = collect(batches(set, { batchSize: 5, seed: 9, epoch: 0 }));
    expect([...e0.order].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(e0.sizes).toEqual([5, 5, 5, 5, 3]);
    expect(collect(batches(set, { batchSize: 5, seed: 9, epoch: 0 })).order).toEqual(e0.order);
    const e1 = collect(batches(set, { batchSize: 5, seed: 9, epoch: 1 }));
    expect(e1.order).not.toEqual(e0.order);
    expect(new Set(e1.order).size).toBe(23);
    expect(collect(batches(set, { batchSize: 5, seed: 10, epoch: 0 })).order).not.toEqual(e0.order);
  });

  it('keeps the set order without a seed and can drop the short last batch', () => {
    expect(collect(batches(set, { batchSize: 10 })).order).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(collect(batches(set, { batchSize: 10, dropRemainder: true })).sizes).toEqual([10, 10]);
    expect([batchCount(23, 10), batchCount(23, 10, true)]).toEqual([3, 2]);
  });

  it('leaves no tensors behind once the caller disposes them', () => {
    const before = tf.memory().numTensors;
    collect(batches(set, { batchSize: 4, seed: 1 }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad batch size', () => {
    expect(() => batches(set, { batchSize: 0 }).next()).toThrow(
      /batchSize must be a positive integer, got 0/,
    );
  });
});

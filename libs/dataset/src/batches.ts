import * as tf from '@tensorflow/tfjs';
import { type ImageSet, imageSize, shuffledIndices } from './image-set.js';
import { deriveSeed } from './prng.js';

export interface BatchOptions {
  batchSize: number;
  /**
   * Shuffles the images with an order that depends only on (seed, epoch).
   * @defaultValue undefined: the set's own order (for evaluation)
   */
  seed?: number;
  /** @defaultValue 0 */
  epoch?: number;
  /**
   * Leaves out the last batch when it is smaller than batchSize.
   * @defaultValue false
   */
  dropRemainder?: boolean;
}

/** One batch: pixels scaled to [0, 1], integer labels, and which images of the set they are. */
export interface Batch {
  /** [B, rows, cols, 1] float32 in [0, 1] */
  xs: tf.Tensor4D;
  /** [B] int32 */
  ys: tf.Tensor1D;
  indices: Uint32Array;
}

/** The order in which an epoch visits the images: a permutation of 0..count-1 fixed by (seed, epoch). */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  return shuffledIndices(count, deriveSeed(seed, epoch));
}

/** The number of batches `batches` yields. */
export function batchCount(count: number, batchSize: number, dropRemainder = false): number {
  return dropRemainder ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/** Tensors for the images at `indices` (only those images are converted). The caller disposes them. */
export function batchTensors(set: ImageSet, indices: Uint32Array): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const size = imageSize(set);
  const pixels = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i] * size;
    const offset = i * size;
    for (let p = 0; p < size; p++) pixels[offset + p] = set.images[start + p] / 255;
    labels[i] = set.labels[indices[i]];
  }
  return {
    xs: tf.tensor4d(pixels, [indices.length, set.rows, set.cols, 1], 'float32'),
    ys: tf.tensor1d(labels, 'int32'),
  };
}

/**
 * Yields the set in batches, creating each batch's tensors only when it is asked for (the whole set is
 * never converted at once). The caller disposes each batch's tensors.
 */
export function* batches(set: ImageSet, opts: BatchOptions): Generator<Batch> {
  const { batchSize, seed, epoch = 0, dropRemainder = false } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(epoch) || epoch < 0)
    throw new RangeError(`epoch must be a non-negative integer, got ${epoch}`);
  let order: Uint32Array;
  if (seed === undefined) {
    order = new Uint32Array(set.count);
    for (let i = 0; i < set.count; i++) order[i] = i;
  } else {
    order = epochOrder(set.count, seed, epoch);
  }
  const steps = batchCount(set.count, batchSize, dropRemainder);
  for (let step = 0; step < steps; step++) {
    const indices = order.slice(step * batchSize, Math.min((step + 1) * batchSize, set.count));
    yield { ...batchTensors(set, indices), indices };
  }
}

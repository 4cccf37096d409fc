import { checkSeed, mulberry32, randomInt } from './prng.js';

/** Grey images with labels. `images` is row-major [count, rows, cols], one byte (0..255) per pixel. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** A pixel box on an image: x is the column, y the row; x1 and y1 are exclusive. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Pixels per image. */
export function imageSize(set: ImageSet): number {
  return set.rows * set.cols;
}

/** The pixels of image `index` (a view, not a copy). */
export function imageAt(set: ImageSet, index: number): Uint8Array {
  const size = imageSize(set);
  return set.images.subarray(index * size, (index + 1) * size);
}

/**
 * Images `start` (inclusive) to `end` (exclusive) as a new ImageSet whose arrays are views into `set`
 * (no copy: writing to one writes to the other).
 */
export function takeRange(set: ImageSet, start: number, end: number): ImageSet {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > set.count || start > end) {
    throw new RangeError(`range [${start}, ${end}) is not inside the set of ${set.count} images`);
  }
  const size = imageSize(set);
  return {
    images: set.images.subarray(start * size, end * size),
    labels: set.labels.subarray(start, end),
    count: end - start,
    rows: set.rows,
    cols: set.cols,
  };
}

/** The first `n` images (views into `set`, no copy). */
export function takeFirst(set: ImageSet, n: number): ImageSet {
  if (!Number.isInteger(n) || n < 0 || n > set.count) {
    throw new RangeError(`takeFirst: n must be an integer in [0, ${set.count}], got ${n}`);
  }
  return takeRange(set, 0, n);
}

/** A copy holding the images at `indices`, in that order. */
export function takeIndices(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = imageSize(set);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new RangeError(`takeIndices: index ${index} (position ${i}) is outside [0, ${set.count})`);
    }
    images.set(imageAt(set, index), i * size);
    labels[i] = set.labels[index];
  }
  return { images, labels, count: indices.length, rows: set.rows, cols: set.cols };
}

/** 0..count-1 in a seeded random order (Fisher-Yates with mulberry32): the same seed gives the same order. */
export function shuffledIndices(count: number, seed: number): Uint32Array {
  checkSeed(seed);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const rng = mulberry32(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * `perClass` images of every label present in `set`, chosen at random (seeded). The result keeps the
 * original order of the chosen images, so classes stay interleaved as in the source.
 * @throws RangeError when some label has fewer than `perClass` images
 */
export function takeStratified(set: ImageSet, perClass: number, seed: number): ImageSet {
  if (!Number.isInteger(perClass) || perClass < 0) {
    throw new RangeError(`takeStratified: perClass must be a non-negative integer, got ${perClass}`);
  }
  const available = new Map<number, number>();
  for (const label of set.labels) available.set(label, (available.get(label) ?? 0) + 1);
  for (const [label, n] of available) {
    if (n < perClass) {
      throw new RangeError(
        `takeStratified: label ${label} has only ${n} images, fewer than perClass=${perClass}`,
      );
    }
  }
  const taken = new Map<number, number>();
  const chosen: number[] = [];
  for (const index of shuffledIndices(set.count, seed)) {
    const label = set.labels[index];
    const n = taken.get(label) ?? 0;
    if (n < perClass) {
      taken.set(label, n + 1);
      chosen.push(index);
    }
  }
  chosen.sort((a, b) => a - b);
  return takeIndices(set, chosen);
}

import { type GreyImages, type Scorer, mean, targetProbabilities } from './scorer.js';

/**
 * Deletion and insertion (Petsiuk et al., "RISE: Randomized Input Sampling for Explanation of Black-box
 * Models", BMVC 2018, https://arxiv.org/abs/1806.07421, Section 4.1): pixels are removed from the image
 * (set to black, MNIST's background) or inserted into a blurred copy of it, most salient first, and the
 * target class probability is followed; the score is the area under that curve over the fraction of pixels
 * changed (deletion: lower is better, insertion: higher is better).
 */

/** Pixel indices from the most to the least salient (ties in index order). */
export function pixelOrder(map: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: map.length }, (_, i) => i);
  return order.sort((a, b) => map[b] - map[a] || a - b);
}

/** Area under a curve sampled at equal steps over [0, 1] (trapezoids). */
export function areaUnderCurve(curve: ArrayLike<number>): number {
  if (curve.length < 2) throw new RangeError('a curve needs at least 2 points');
  let area = 0;
  for (let i = 1; i < curve.length; i++) area += (curve[i - 1] + curve[i]) / 2;
  return area / (curve.length - 1);
}

/**
 * Gaussian blur of each image (sigma in pixels, kernel truncated at `radius`, renormalised at the borders):
 * the insertion start, Petsiuk et al.'s kernel of 11 pixels and sigma 5 by default.
 */
export function blurImages(images: GreyImages, sigma = 5, radius = 5): Float32Array {
  const { pixels, n, rows, cols } = images;
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)),
  );
  const pass = (input: Float32Array, along: 'x' | 'y') => {
    const out = new Float32Array(input.length);
    for (let i = 0; i < n; i++)
      for (let y = 0; y < rows; y++)
        for (let x = 0; x < cols; x++) {
          let sum = 0;
          let weight = 0;
          for (let d = -radius; d <= radius; d++) {
            const yy = along === 'y' ? y + d : y;
            const xx = along === 'x' ? x + d : x;
            if (yy < 0 || yy >= rows || xx < 0 || xx >= cols) continue;
            sum += kernel[d + radius] * input[(i * rows + yy) * cols + xx];
            weight += kernel[d + radius];
          }
          out[(i * rows + y) * cols + x] = sum / weight;
        }
    return out;
  };
  return pass(pass(pixels, 'x'), 'y');
}

export interface DeletionInsertionOptions {
  /** Curve points after the start: `steps` equal shares of the pixels. @defaultValue 16 */
  steps?: number;
  /** Start of insertion: a blurred copy of each image (see {@link blurImages}). Computed when absent. */
  blurred?: Float32Array;
}

export interface DeletionInsertionResult {
  /** Target probability after each step [n, steps + 1]; column 0 is the untouched (deletion) / blurred (insertion) image. */
  deletion: Float32Array;
  insertion: Float32Array;
  deletionAuc: Float32Array;
  insertionAuc: Float32Array;
  /** Mean curves over the images [steps + 1]. */
  meanDeletion: number[];
  meanInsertion: number[];
}

/**
 * Deletion and insertion curves of every image; one call of the scorer (one forward pass over all images)
 * per step and curve.
 */
export async function deletionInsertion(
  scorer: Scorer,
  images: GreyImages,
  maps: Float32Array,
  targets: Int32Array,
  opts: DeletionInsertionOptions = {},
): Promise<DeletionInsertionResult> {
  const { steps = 16 } = opts;
  const { pixels, n, rows, cols } = images;
  const size = rows * cols;
  if (!Number.isInteger(steps) || steps < 1 || steps > size)
    throw new RangeError(`steps: must be an integer from 1 to ${size}, got ${steps}`);
  if (maps.length !== pixels.length) throw new RangeError(`${maps.length / size} maps for ${n} images`);
  const blurred = opts.blurred ?? blurImages(images);
  const orders = Array.from({ length: n }, (_, i) => pixelOrder(maps.subarray(i * size, (i + 1) * size)));
  const deletion = new Float32Array(n * (steps + 1));
  const insertion = new Float32Array(n * (steps + 1));
  const deleted = Float32Array.from(pixels);
  const inserted = Float32Array.from(blurred);
  let changed = 0;
  for (let step = 0; step <= steps; step++) {
    const upTo = Math.round((step * size) / steps);
    for (let i = 0; i < n; i++) {
      for (let r = changed; r < upTo; r++) {
        const p = i * size + orders[i][r];
        deleted[p] = 0;
        inserted[p] = pixels[p];
      }
    }
    changed = upTo;
    const [del, ins] = [
      targetProbabilities(await scorer(deleted, n), targets),
      targetProbabilities(await scorer(inserted, n), targets),
    ];
    for (let i = 0; i < n; i++) {
      deletion[i * (steps + 1) + step] = del[i];
      insertion[i * (steps + 1) + step] = ins[i];
    }
  }
  const auc = (curves: Float32Array) =>
    Float32Array.from({ length: n }, (_, i) =>
      areaUnderCurve(curves.subarray(i * (steps + 1), (i + 1) * (steps + 1))),
    );
  const meanCurve = (curves: Float32Array) =>
    Array.from({ length: steps + 1 }, (_, s) =>
      mean(Array.from({ length: n }, (__, i) => curves[i * (steps + 1) + s])),
    );
  return {
    deletion,
    insertion,
    deletionAuc: auc(deletion),
    insertionAuc: auc(insertion),
    meanDeletion: meanCurve(deletion),
    meanInsertion: meanCurve(insertion),
  };
}

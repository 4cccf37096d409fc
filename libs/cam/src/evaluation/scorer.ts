import * as tf from '@tensorflow/tfjs';
import { concat } from '../render.js';

/**
 * Grey images in [0, 1], [n, rows, cols] flat, row-major: the form every metric perturbs. The model's own
 * input scaling (c3's `normalize` layer) is inside the model.
 */
export interface GreyImages {
  pixels: Float32Array;
  n: number;
  rows: number;
  cols: number;
}

/** Class probabilities [n, C] of a batch of images: one forward pass (chunked by the scorer). */
export type Scorer = (pixels: Float32Array, n: number) => Promise<Float32Array>;

/** The model's softmax output, `batchSize` images per predict call. */
export function modelScorer(model: tf.LayersModel, rows: number, cols: number, batchSize = 256): Scorer {
  return async (pixels, n) => {
    const chunks: Float32Array[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      const probabilities = tf.tidy(() =>
        model.predict(
          tf.tensor4d(pixels.subarray(start * rows * cols, (start + m) * rows * cols), [m, rows, cols, 1]),
          {
            batchSize: m,
          },
        ),
      ) as tf.Tensor;
      chunks.push((await probabilities.data()) as Float32Array);
      probabilities.dispose();
    }
    return concat(chunks);
  };
}

/** probabilities[i, targets[i]] for each image. */
export function targetProbabilities(probabilities: Float32Array, targets: ArrayLike<number>): Float32Array {
  const classCount = probabilities.length / targets.length;
  return Float32Array.from(targets, (c, i) => probabilities[i * classCount + c]);
}

/** Mean of a list of numbers (NaN for none). */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

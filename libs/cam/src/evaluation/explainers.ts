import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '@cam/dataset';
import { computeMaps } from '../compute-maps.js';
import { mapResizer } from '../image/upsample.js';
import type { CamMethodName } from '../methods/registry.js';
import type { GreyImages } from './scorer.js';

/**
 * Something that draws a saliency map per image for a given class: a CAM method, or a baseline that
 * ignores the model. Maps come back at the images' resolution, [n, rows, cols] flat.
 */
export interface Explainer {
  name: string;
  /** A reference point that ignores the model (random map, centred blob), not a method. */
  baseline?: boolean;
  explain(model: tf.LayersModel, images: GreyImages, targets: Int32Array): Promise<Float32Array>;
}

/** A registry method's maps (its own scale, upsampled bilinearly to the image size), `batchSize` images per pass. */
export function methodExplainer(
  method: CamMethodName,
  opts: { layer?: string; batchSize?: number } = {},
): Explainer {
  const { layer, batchSize = 64 } = opts;
  return {
    name: method,
    async explain(model, images, targets) {
      const { pixels, n, rows, cols } = images;
      const out = new Float32Array(n * rows * cols);
      for (let start = 0; start < n; start += batchSize) {
        const m = Math.min(batchSize, n - start);
        const xs = tf.tensor4d(pixels.subarray(start * rows * cols, (start + m) * rows * cols), [
          m,
          rows,
          cols,
          1,
        ]);
        const result = await computeMaps(model, xs, {
          method,
          layer,
          target: 'label',
          labels: targets.subarray(start, start + m),
        }).finally(() => xs.dispose());
        const resize = mapResizer(result.h, result.w, rows, cols);
        for (let i = 0; i < m; i++) {
          const map = result.maps.subarray(i * result.h * result.w, (i + 1) * result.h * result.w);
          out.set(resize(map), (start + i) * rows * cols);
        }
      }
      return out;
    },
  };
}

/** Baseline: independent uniform noise per pixel, seeded (the same maps for the same images and seed). */
export function randomMapExplainer(seed = 1): Explainer {
  return {
    name: 'random map',
    baseline: true,
    async explain(_model, { n, rows, cols }) {
      const rng = mulberry32(seed);
      return Float32Array.from({ length: n * rows * cols }, () => rng());
    },
  };
}

/** Baseline: the same Gaussian blob for every image, centred, sigma a fifth of the shorter side. */
export function centredBlobExplainer(): Explainer {
  return {
    name: 'centred blob',
    baseline: true,
    async explain(_model, { n, rows, cols }) {
      const sigma = Math.min(rows, cols) / 5;
      const blob = new Float32Array(rows * cols);
      for (let y = 0; y < rows; y++)
        for (let x = 0; x < cols; x++)
          blob[y * cols + x] = Math.exp(
            -(((y - (rows - 1) / 2) ** 2 + (x - (cols - 1) / 2) ** 2) / (2 * sigma * sigma)),
          );
      const out = new Float32Array(n * rows * cols);
      for (let i = 0; i < n; i++) out.set(blob, i * rows * cols);
      return out;
    },
  };
}

import { type GreyImages, type Scorer, targetProbabilities } from './scorer.js';

/**
 * Average drop and increase in confidence (Chattopadhay et al., "Grad-CAM++", WACV 2018,
 * https://arxiv.org/abs/1710.11063, Section 5.1): the image is multiplied by its map, min-max scaled to
 * [0, 1] (the "explanation map"); with Y the target probability on the image and O on the explanation map,
 * average drop = mean(max(0, Y - O) / Y) (lower is better) and increase in confidence = share of images
 * with O > Y (higher is better).
 */
export interface ConfidenceChange {
  /** Per image max(0, Y - O) / Y. */
  drops: Float32Array;
  averageDrop: number;
  increaseInConfidence: number;
}

/** The explanation maps: each image times its map scaled to [0, 1] (a constant map keeps nothing). */
export function explanationImages(images: GreyImages, maps: Float32Array): Float32Array {
  const size = images.rows * images.cols;
  const out = new Float32Array(images.pixels.length);
  for (let i = 0; i < images.n; i++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = i * size; p < (i + 1) * size; p++) {
      lo = Math.min(lo, maps[p]);
      hi = Math.max(hi, maps[p]);
    }
    const span = hi - lo;
    for (let p = i * size; p < (i + 1) * size; p++)
      out[p] = span > 0 ? (images.pixels[p] * (maps[p] - lo)) / span : 0;
  }
  return out;
}

/** From the target probabilities on the images (Y) and on their explanation maps (O). */
export function confidenceChange(before: Float32Array, after: Float32Array): ConfidenceChange {
  if (before.length !== after.length || before.length === 0)
    throw new RangeError(`${before.length} and ${after.length} probabilities: need as many, at least one`);
  const drops = Float32Array.from(before, (y, i) => (y > 0 ? Math.max(0, y - after[i]) / y : 0));
  let increased = 0;
  before.forEach((y, i) => (increased += after[i] > y ? 1 : 0));
  return {
    drops,
    averageDrop: drops.reduce((s, d) => s + d, 0) / drops.length,
    increaseInConfidence: increased / before.length,
  };
}

/** One forward pass of all explanation maps. */
export async function averageDropIncrease(
  scorer: Scorer,
  images: GreyImages,
  maps: Float32Array,
  targets: Int32Array,
  before: Float32Array,
): Promise<ConfidenceChange> {
  const after = targetProbabilities(await scorer(explanationImages(images, maps), images.n), targets);
  return confidenceChange(before, after);
}

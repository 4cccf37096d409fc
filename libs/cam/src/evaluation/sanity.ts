import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '@cam/dataset';
import type { Explainer } from './explainers.js';
import { type GreyImages, mean } from './scorer.js';

/**
 * Cascading model-parameter randomization (Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS 2018,
 * https://arxiv.org/abs/1810.03292, Section 3.1): the layers with weights are re-initialised one after the
 * other from the output down (kernels Glorot-uniform, seeded; biases 0, their initial value), and after
 * each the maps of the same images and classes are compared with the trained model's by Spearman rank
 * correlation. A method whose maps stay close to the trained model's after every layer is randomised
 * does not depend on what the model learnt: it is flagged.
 */

/** |Spearman rho| at or above this after the whole cascade flags the method. */
export const SANITY_FLAG_THRESHOLD = 0.5;

/** Ranks 1..n, ties given their average rank. */
function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
    for (let k = start; k <= end; k++) out[order[k]] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return out;
}

/** Spearman's rank correlation (Pearson's on average ranks); 0 when either side is constant. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length < 2)
    throw new RangeError(`spearman of ${a.length} and ${b.length} values`);
  const [ra, rb] = [ranks(a), ranks(b)];
  const [ma, mb] = [mean(ra), mean(rb)];
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < ra.length; i++) {
    cov += (ra[i] - ma) * (rb[i] - mb);
    va += (ra[i] - ma) ** 2;
    vb += (rb[i] - mb) ** 2;
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
}

/** A copy of the model with its own weights (serialised to memory and loaded back). */
export async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}

/** The layers with weights, from the output down: the cascade's order. */
export function cascadeLayers(model: tf.LayersModel): string[] {
  return model.layers
    .filter((l) => l.getWeights().length > 0)
    .map((l) => l.name)
    .reverse();
}

export interface SanityResult {
  /** After randomising each layer (cumulatively, from the output down): mean |rho| over the images. */
  steps: { layer: string; rho: number }[];
  /** Mean |rho| once every layer is randomised. */
  final: number;
  flagged: boolean;
}

/**
 * The cascade for one explainer over `images` and their `targets` (the trained model's classes, kept for
 * every randomised model). `trainedMaps` are the explainer's maps of the trained model.
 */
export async function cascadingRandomization(
  model: tf.LayersModel,
  explainer: Explainer,
  images: GreyImages,
  targets: Int32Array,
  trainedMaps: Float32Array,
  opts: { seed?: number } = {},
): Promise<SanityResult> {
  const { seed = 1 } = opts;
  const size = images.rows * images.cols;
  const steps: { layer: string; rho: number }[] = [];
  let current = model;
  for (const [index, name] of cascadeLayers(model).entries()) {
    const next = await cloneModel(current);
    if (current !== model) current.dispose();
    current = next;
    const layer = current.getLayer(name);
    const fresh = tf.tidy(() =>
      layer
        .getWeights()
        .map((w, k) =>
          k === 0
            ? tf.initializers.glorotUniform({ seed: deriveSeed(seed, index * 8 + k) }).apply(w.shape)
            : tf.zerosLike(w),
        ),
    );
    layer.setWeights(fresh);
    tf.dispose(fresh);
    const maps = await explainer.explain(current, images, targets);
    const rhos = Array.from({ length: images.n }, (_, i) =>
      Math.abs(
        spearman(trainedMaps.subarray(i * size, (i + 1) * size), maps.subarray(i * size, (i + 1) * size)),
      ),
    );
    steps.push({ layer: name, rho: mean(rhos) });
  }
  if (current !== model) current.dispose();
  const final = steps.at(-1)?.rho ?? 1;
  return { steps, final, flagged: final >= SANITY_FLAG_THRESHOLD };
}

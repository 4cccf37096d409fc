import { mulberry32 } from '@cam/dataset';
import { type GreyImages, type Scorer, mean, targetProbabilities } from './scorer.js';

/**
 * ROAD, RemOve And Debias (Rong et al., "A Consistent and Efficient Evaluation Strategy for Attribution
 * Methods", ICML 2022, https://arxiv.org/abs/2202.00449), computed as pytorch-grad-cam's `ROADCombined`
 * does: for each percentile p of 10, 20, ..., 90, MoRF imputes the pixels whose map value is >= the p-th
 * percentile of the map (keeps those below) and LeRF those <= the (100 - p)-th (keeps those above); imputed
 * pixels are the noisy linear imputation (each the weighted mean of its 8 neighbours, 1/6 direct and 1/12
 * diagonal, solved jointly, plus Gaussian noise of 0.01); each gives the change of the target probability;
 * ROAD = (mean LeRF change - mean MoRF change) / 2 (higher is better).
 */

export const ROAD_PERCENTILES = [10, 20, 30, 40, 50, 60, 70, 80, 90] as const;
/** pytorch-grad-cam's NoisyLinearImputer noise (standard deviation, in pixel units of [0, 1]). */
export const ROAD_NOISE = 0.01;

/** NumPy's default percentile: linear interpolation between the order statistics. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  const sorted = Float64Array.from(values).sort();
  const at = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

const NEIGHBOURS: [number, number, number][] = [
  [-1, -1, 1 / 12],
  [-1, 0, 1 / 6],
  [-1, 1, 1 / 12],
  [0, -1, 1 / 6],
  [0, 1, 1 / 6],
  [1, -1, 1 / 12],
  [1, 0, 1 / 6],
  [1, 1, 1 / 12],
];

/**
 * Fills the pixels with keep[p] = 0 of one rows x cols image so that each is the weighted mean of its
 * in-image neighbours (a sparse symmetric positive definite system, solved by conjugate gradients), then
 * adds noise * N(0, 1) from `gaussian`. With no pixel kept the system has no data; the image becomes
 * 0 (black) plus noise.
 */
export function noisyLinearImpute(
  image: ArrayLike<number>,
  keep: Uint8Array,
  rows: number,
  cols: number,
  noise = ROAD_NOISE,
  gaussian: () => number = gaussianFrom(mulberry32(1)),
): Float32Array {
  const out = Float32Array.from(image);
  const unknown = Int32Array.from({ length: rows * cols }, (_, p) => p).filter((p) => !keep[p]);
  const slot = new Int32Array(rows * cols).fill(-1);
  unknown.forEach((p, i) => (slot[p] = i));
  const m = unknown.length;
  if (m === 0) return out;
  // Row i: diagonal[i] x_i - sum_j w_ij x_j = b_i over the unknown neighbours j.
  const diagonal = new Float64Array(m);
  const b = new Float64Array(m);
  const links: [number, number, number][] = [];
  unknown.forEach((p, i) => {
    const y = Math.floor(p / cols);
    const x = p - y * cols;
    for (const [dy, dx, w] of NEIGHBOURS) {
      const ny = y + dy;
      const nx = x + dx;
      if (ny < 0 || ny >= rows || nx < 0 || nx >= cols) continue;
      const q = ny * cols + nx;
      diagonal[i] += w;
      if (keep[q]) b[i] += w * image[q];
      else links.push([i, slot[q], w]);
    }
  });
  const solution = m === rows * cols ? new Float64Array(m) : conjugateGradient(diagonal, links, b);
  unknown.forEach((p, i) => (out[p] = solution[i] + noise * gaussian()));
  return out;
}

function conjugateGradient(
  diagonal: Float64Array,
  links: [number, number, number][],
  b: Float64Array,
): Float64Array {
  const m = b.length;
  const apply = (v: Float64Array, out: Float64Array) => {
    for (let i = 0; i < m; i++) out[i] = diagonal[i] * v[i];
    for (const [i, j, w] of links) out[i] -= w * v[j];
  };
  const x = new Float64Array(m);
  const r = Float64Array.from(b);
  const d = Float64Array.from(b);
  const ad = new Float64Array(m);
  let rr = r.reduce((s, v) => s + v * v, 0);
  const stop = 1e-20 * Math.max(rr, 1e-30);
  for (let iteration = 0; iteration < 4 * m && rr > stop; iteration++) {
    apply(d, ad);
    let dad = 0;
    for (let i = 0; i < m; i++) dad += d[i] * ad[i];
    const alpha = rr / dad;
    let next = 0;
    for (let i = 0; i < m; i++) {
      x[i] += alpha * d[i];
      r[i] -= alpha * ad[i];
      next += r[i] * r[i];
    }
    const beta = next / rr;
    rr = next;
    for (let i = 0; i < m; i++) d[i] = r[i] + beta * d[i];
  }
  return x;
}

/** Standard normal draws (Box-Muller) from a uniform generator. */
export function gaussianFrom(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Which pixels MoRF (most relevant first) or LeRF keeps at percentile p, as pytorch-grad-cam's thresholds. */
export function roadKeepMask(map: ArrayLike<number>, p: number, order: 'morf' | 'lerf'): Uint8Array {
  // LeRF thresholds 1 - map at p, the same as map at 100 - p from above (the percentile is linear).
  const sign = order === 'morf' ? 1 : -1;
  const values = Float64Array.from(map, (v) => sign * v);
  const threshold = percentile(values, p);
  return Uint8Array.from(values, (v) => (v < threshold ? 1 : 0));
}

export interface RoadResult {
  /** Per image (mean LeRF change - mean MoRF change) / 2. */
  scores: Float32Array;
  road: number;
  /** Mean change of the target probability per percentile. */
  morf: number[];
  lerf: number[];
}

/** ROAD of every image; per percentile and order one forward pass over all images (18 in all). */
export async function road(
  scorer: Scorer,
  images: GreyImages,
  maps: Float32Array,
  targets: Int32Array,
  before: Float32Array,
  opts: { percentiles?: readonly number[]; noise?: number; seed?: number } = {},
): Promise<RoadResult> {
  const { percentiles = ROAD_PERCENTILES, noise = ROAD_NOISE, seed = 1 } = opts;
  const { pixels, n, rows, cols } = images;
  const size = rows * cols;
  const gaussian = gaussianFrom(mulberry32(seed));
  const sums = { morf: new Float64Array(n), lerf: new Float64Array(n) };
  const means = { morf: [] as number[], lerf: [] as number[] };
  for (const order of ['morf', 'lerf'] as const) {
    for (const p of percentiles) {
      const imputed = new Float32Array(pixels.length);
      for (let i = 0; i < n; i++) {
        const keep = roadKeepMask(maps.subarray(i * size, (i + 1) * size), p, order);
        imputed.set(
          noisyLinearImpute(pixels.subarray(i * size, (i + 1) * size), keep, rows, cols, noise, gaussian),
          i * size,
        );
      }
      const after = targetProbabilities(await scorer(imputed, n), targets);
      const changes = after.map((v, i) => v - before[i]);
      changes.forEach((c, i) => (sums[order][i] += c));
      means[order].push(mean(changes));
    }
  }
  const scores = Float32Array.from(
    { length: n },
    (_, i) => (sums.lerf[i] / percentiles.length - sums.morf[i] / percentiles.length) / 2,
  );
  return { scores, road: mean(scores), morf: means.morf, lerf: means.lerf };
}

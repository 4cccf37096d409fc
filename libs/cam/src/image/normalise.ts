/**
 * How raw map values become colour-map positions in [0, 1]:
 * - `minmax`: per image, its minimum -> 0 and maximum -> 1 (a constant map -> 0);
 * - `fixed`: one range for every image, clipped (the seed used [-250, 250]);
 * - `percentile`: per image, the given lower and upper percentiles -> 0 and 1, clipped.
 */
export type Normalisation =
  | { mode: 'minmax' }
  | { mode: 'fixed'; range: [number, number] }
  | { mode: 'percentile'; percentiles: [number, number] };

/** The seed's fixed colour range. */
export const SEED_RANGE: [number, number] = [-250, 250];

export function checkNormalisation(n: Normalisation): void {
  if (n.mode === 'fixed') {
    const [lo, hi] = n.range;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
      throw new RangeError(`fixed range must be two finite numbers lo < hi, got [${lo}, ${hi}]`);
    }
  } else if (n.mode === 'percentile') {
    const [lo, hi] = n.percentiles;
    if (!(lo >= 0 && hi <= 100 && lo < hi)) {
      throw new RangeError(`percentiles must satisfy 0 <= lo < hi <= 100, got [${lo}, ${hi}]`);
    }
  } else if (n.mode !== 'minmax') {
    throw new RangeError(
      `unknown normalisation mode '${(n as { mode: string }).mode}' (minmax, fixed, percentile)`,
    );
  }
}

/** Linear-interpolated percentile (numpy's default method) of sorted values. */
function percentileOfSorted(sorted: Float32Array, p: number): number {
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The value range [lo, hi] that `n` maps to [0, 1] for this map. */
export function valueRange(map: ArrayLike<number>, n: Normalisation): [number, number] {
  if (n.mode === 'fixed') return n.range;
  if (n.mode === 'percentile') {
    const sorted = Float32Array.from(map).sort();
    return [percentileOfSorted(sorted, n.percentiles[0]), percentileOfSorted(sorted, n.percentiles[1])];
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * Maps values to [0, 1] (clipped) by the range {@link valueRange} gives; with `relu`, negative values are
 * set to 0 first. A map whose range is empty becomes all zeros. Writes into `out` (default: a new array)
 * and returns it with the range used.
 */
export function normaliseMap(
  map: ArrayLike<number>,
  n: Normalisation,
  relu = false,
  out = new Float32Array(map.length),
): { values: Float32Array; range: [number, number] } {
  let source = map;
  if (relu) {
    for (let i = 0; i < map.length; i++) out[i] = map[i] > 0 ? map[i] : 0;
    source = out;
  }
  const range = valueRange(source, n);
  const [lo, hi] = range;
  const span = hi - lo;
  for (let i = 0; i < source.length; i++) {
    const v = span > 0 ? (source[i] - lo) / span : 0;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { values: out, range };
}

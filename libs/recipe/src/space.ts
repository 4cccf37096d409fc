import { deriveSeed, mulberry32 } from '@cam/dataset/prng';

/**
 * One parameter's distribution in a search space, in Ray Tune's meanings (`tune.choice`, `tune.uniform`, ...):
 * - `choice: [a, b, ...]`: one of the values, each equally likely.
 * - `uniform: [lo, hi]`: a float in [lo, hi) (hi excluded).
 * - `loguniform: [lo, hi]`: a float in [lo, hi) whose logarithm is uniform; needs 0 < lo < hi.
 * - `randint: [lo, hi]`: an integer in [lo, hi) (hi EXCLUDED, as Python's range and Ray's randint).
 * - `quniform: [lo, hi, q]`: uniform, rounded to the nearest multiple of q: a multiple of q in [lo, hi].
 * - `qloguniform: [lo, hi, q]`: loguniform, rounded to the nearest multiple of q: in [lo, hi].
 * - `qrandint: [lo, hi, q]`: an integer multiple of q in [lo, hi] (hi INCLUDED, as Ray's qrandint).
 * The quantised forms need lo and hi to be multiples of q, so that rounding never leaves [lo, hi].
 */
export type Distribution =
  | { choice: readonly unknown[] }
  | { uniform: readonly [number, number] }
  | { loguniform: readonly [number, number] }
  | { randint: readonly [number, number] }
  | { quniform: readonly [number, number, number] }
  | { qloguniform: readonly [number, number, number] }
  | { qrandint: readonly [number, number, number] };

export const DISTRIBUTION_KINDS = [
  'choice',
  'uniform',
  'loguniform',
  'randint',
  'quniform',
  'qloguniform',
  'qrandint',
] as const;
export type DistributionKind = (typeof DISTRIBUTION_KINDS)[number];

/** Parameter name -> distribution. */
export type Space = Record<string, Distribution>;

export function distributionKind(d: Distribution): DistributionKind {
  return Object.keys(d)[0] as DistributionKind;
}

/** k * q without the float noise of the product (0.1 * 3 gives 0.3, not 0.30000000000000004). */
function multipleOf(k: number, q: number): number {
  return Number((k * q).toPrecision(12));
}

const isMultiple = (x: number, q: number) => Math.abs(x / q - Math.round(x / q)) < 1e-9;

/**
 * Why the distribution cannot be sampled (bounds out of order, a loguniform bound <= 0, a q that does not
 * divide the bounds, ...), or null when it can. The message names no field; the caller adds the path.
 */
export function distributionProblem(d: Distribution): string | null {
  if ('choice' in d) return d.choice.length === 0 ? 'needs at least one value' : null;
  const kind = distributionKind(d);
  const [lo, hi, q] = Object.values(d)[0] as number[];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'bounds must be finite numbers';
  if (kind.startsWith('q') && !(q! > 0 && Number.isFinite(q))) return 'q must be a positive number';
  if (kind.includes('randint') && !(Number.isInteger(lo) && Number.isInteger(hi)))
    return 'bounds must be integers';
  if (kind === 'qrandint' && !Number.isInteger(q)) return 'q must be an integer';
  if (kind.includes('loguniform') && !(lo! > 0)) return `the lower bound must be > 0, got ${lo}`;
  const inclusive = kind === 'quniform' || kind === 'qloguniform' || kind === 'qrandint';
  if (inclusive ? lo! > hi! : lo! >= hi!)
    return `needs lower ${inclusive ? '<=' : '<'} upper, got [${lo}, ${hi}]`;
  if (inclusive && !(isMultiple(lo!, q!) && isMultiple(hi!, q!)))
    return `the bounds must be multiples of q (${q}), got [${lo}, ${hi}]`;
  return null;
}

/** A value drawn from `d` with `random` (uniform floats in [0, 1)). Assumes distributionProblem(d) is null. */
export function sampleDistribution(d: Distribution, random: () => number): unknown {
  const u = random();
  if ('choice' in d) return d.choice[Math.floor(u * d.choice.length)];
  if ('uniform' in d) return d.uniform[0] + u * (d.uniform[1] - d.uniform[0]);
  if ('loguniform' in d) return logUniform(d.loguniform[0], d.loguniform[1], u);
  if ('randint' in d) return d.randint[0] + Math.floor(u * (d.randint[1] - d.randint[0]));
  if ('quniform' in d) {
    const [lo, hi, q] = d.quniform;
    return multipleOf(Math.round((lo + u * (hi - lo)) / q), q);
  }
  if ('qloguniform' in d) {
    const [lo, hi, q] = d.qloguniform;
    return multipleOf(Math.round(logUniform(lo, hi, u) / q), q);
  }
  const [lo, hi, q] = d.qrandint;
  const steps = Math.round((hi - lo) / q);
  return lo + q * Math.floor(u * (steps + 1));
}

function logUniform(lo: number, hi: number, u: number): number {
  return Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo)));
}

/**
 * Values of `d` worth checking against the parameter's own rules: the reachable extremes, and for float
 * distributions a value between them that is no integer (an integer parameter cannot take a uniform).
 */
export function distributionProbes(d: Distribution): unknown[] {
  if ('choice' in d) return [...d.choice];
  const kind = distributionKind(d);
  const [lo, hi] = Object.values(d)[0] as number[];
  if (kind === 'randint') return [lo, hi! - 1];
  if (kind.startsWith('q')) return [lo, hi];
  const below = hi! - Math.abs(hi!) * Number.EPSILON * 4;
  return [lo, below, lo! + (below - lo!) / Math.PI];
}

/**
 * `count` configurations drawn from the space, each parameter from its own stream of `seed` (keyed by its name),
 * so that adding a
 * parameter to the space does not change what the others draw. The same space, count and seed give the same
 * configurations; parameters come in the space's key order.
 */
export function sampleSpace(space: Space, count: number, seed: number): Record<string, unknown>[] {
  const streams = Object.keys(space).map(
    (name) => [name, mulberry32(deriveSeed(seed, nameHash(name)))] as const,
  );
  return Array.from({ length: count }, () =>
    Object.fromEntries(streams.map(([name, random]) => [name, sampleDistribution(space[name]!, random)])),
  );
}

/** FNV-1a hash of a name: the stream number of a parameter. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

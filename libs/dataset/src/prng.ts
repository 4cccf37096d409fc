/**
 * mulberry32: a 32-bit seeded PRNG (Tommy Ettinger's public-domain generator). Small, fast and good
 * enough for shuffling and sampling; never for cryptography.
 * @returns a function giving uniform floats in [0, 1)
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n) drawn from `rng`. */
export function randomInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}

/**
 * Derives an independent 32-bit seed for a sub-stream (an epoch, a purpose) of a base seed, so that
 * nearby (seed, stream) pairs do not give correlated sequences.
 */
export function deriveSeed(seed: number, stream: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul((stream >>> 0) + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Throws unless `seed` is an integer (any sign; it is used modulo 2^32). */
export function checkSeed(seed: number, field = 'seed'): void {
  if (!Number.isInteger(seed)) throw new RangeError(`${field} must be an integer, got ${seed}`);
}

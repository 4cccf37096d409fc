import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@cam/dataset/prng';
import {
  distributionProbes,
  distributionProblem,
  sampleDistribution,
  sampleSpace,
  type Distribution,
} from '../src/index.js';

function draw(d: Distribution, n = 20_000, seed = 5): unknown[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => sampleDistribution(d, random));
}

const numbers = (values: unknown[]) => values as number[];

describe('sampleSpace', () => {
  const space = {
    learningRate: { loguniform: [1e-4, 1e-1] },
    batchSize: { choice: [32, 64, 128] },
    epochs: { randint: [2, 8] },
  } satisfies Record<string, Distribution>;

  it('is deterministic for a seed and differs between seeds', () => {
    expect(sampleSpace(space, 10, 3)).toEqual(sampleSpace(space, 10, 3));
    expect(sampleSpace(space, 10, 3)).not.toEqual(sampleSpace(space, 10, 4));
  });

  it("keeps a parameter's draws when another parameter joins the space", () => {
    const before = sampleSpace({ learningRate: space.learningRate }, 5, 9).map((c) => c['learningRate']);
    const after = sampleSpace(space, 5, 9).map((c) => c['learningRate']);
    expect(after).toEqual(before);
  });
});

describe('sampleDistribution', () => {
  it('uniform stays in [lo, hi) with mean near the middle', () => {
    const xs = numbers(draw({ uniform: [0.8, 0.99] }));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...xs)).toBeLessThan(0.99);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.895, 2);
  });

  it("loguniform's median is near the geometric mean of its bounds", () => {
    const xs = numbers(draw({ loguniform: [1e-4, 1e-1] })).sort((a, b) => a - b);
    const median = xs[xs.length / 2]!;
    const geometricMean = Math.sqrt(1e-4 * 1e-1);
    expect(Math.abs(Math.log(median / geometricMean))).toBeLessThan(0.1);
    expect(xs[0]!).toBeGreaterThanOrEqual(1e-4);
    expect(xs.at(-1)!).toBeLessThan(1e-1);
  });

  it('randint excludes its upper bound and reaches every value below it', () => {
    expect(new Set(draw({ randint: [2, 5] }, 2000))).toEqual(new Set([2, 3, 4]));
  });

  it('qrandint includes its upper bound and gives multiples of q', () => {
    expect(new Set(draw({ qrandint: [16, 64, 16] }, 2000))).toEqual(new Set([16, 32, 48, 64]));
  });

  it('quniform and qloguniform give clean multiples of q inside [lo, hi], both bounds reachable', () => {
    const xs = numbers(draw({ quniform: [0.1, 0.5, 0.1] }, 5000));
    expect(new Set(xs)).toEqual(new Set([0.1, 0.2, 0.3, 0.4, 0.5]));
    const ys = numbers(draw({ qloguniform: [0.001, 0.1, 0.001] }, 5000));
    expect(Math.min(...ys)).toBe(0.001);
    expect(Math.max(...ys)).toBeLessThanOrEqual(0.1);
    for (const y of ys) expect(Math.abs(y / 0.001 - Math.round(y / 0.001))).toBeLessThan(1e-9);
  });

  it('choice gives each value', () => {
    expect(new Set(draw({ choice: ['constant', 'cosine'] }, 200))).toEqual(new Set(['constant', 'cosine']));
  });
});

describe('distributionProblem', () => {
  it.each([
    [{ loguniform: [0, 1] }, /> 0/],
    [{ loguniform: [-1, 1] }, /> 0/],
    [{ uniform: [1, 1] }, /lower < upper/],
    [{ randint: [1.5, 4] }, /integers/],
    [{ qrandint: [1, 10, 4] }, /multiples of q/],
    [{ quniform: [0, 1, 0] }, /q must be/],
    [{ choice: [] }, /at least one/],
  ] as [Distribution, RegExp][])('refuses %j', (d, message) => {
    expect(distributionProblem(d)).toMatch(message);
  });

  it('accepts well-formed distributions; probes cover the reachable extremes', () => {
    expect(distributionProblem({ qrandint: [16, 64, 16] })).toBeNull();
    expect(distributionProbes({ randint: [2, 8] })).toEqual([2, 7]);
    const [lo, below, mid] = distributionProbes({ uniform: [0, 1] }) as number[];
    expect([lo, below! < 1, Number.isInteger(mid)]).toEqual([0, true, false]);
  });
});

import { describe, expect, it } from 'vitest';
import { ashaCutoff, ashaDecide, percentile, rungEpochs, type AshaRule } from '../src/index.js';

const MAX3: AshaRule = { mode: 'max', gracePeriod: 1, reductionFactor: 3 };

/** Feeds values to one rung in arrival order, recording each (as the Redis store does); returns the actions. */
function arrive(rule: AshaRule, values: number[]): string[] {
  const recorded: number[] = [];
  return values.map((value) => {
    const { action } = ashaDecide(rule, recorded, value);
    recorded.push(value);
    return action;
  });
}

describe('rungEpochs', () => {
  it('puts rungs at gracePeriod * rf^k below the run length', () => {
    expect(rungEpochs({ gracePeriod: 1, reductionFactor: 3 }, 10)).toEqual([1, 3, 9]);
    expect(rungEpochs({ gracePeriod: 1, reductionFactor: 3 }, 9)).toEqual([1, 3]);
    expect(rungEpochs({ gracePeriod: 2, reductionFactor: 2 }, 12)).toEqual([2, 4, 8]);
    expect(rungEpochs({ gracePeriod: 4, reductionFactor: 2 }, 4)).toEqual([]);
  });
});

describe('percentile (numpy linear)', () => {
  it('interpolates between ranks', () => {
    // np.percentile([1, 2, 3, 4], 66.666...) = 1 + 2 * (3 - 1) / 3 ... position 2.0 -> 3
    expect(percentile([4, 1, 3, 2], (2 / 3) * 100)).toBeCloseTo(3, 12);
    expect(percentile([1, 2], 50)).toBe(1.5);
    expect(percentile([10, 20, 30], 25)).toBe(15);
    expect(percentile([7], 90)).toBe(7);
  });
});

describe('ashaDecide against hand-worked examples', () => {
  it('rf 3, max: the first run goes on; later ones need the 2/3 quantile of the earlier values', () => {
    // 0.5: nothing recorded -> continue. 0.6: cutoff of [0.5] is 0.5 -> continue (not worse).
    // 0.4: cutoff of [0.5, 0.6] = 0.5 + (2/3)(0.1) = 0.5667 -> stop.
    // 0.9: cutoff of [0.4, 0.5, 0.6] at position 4/3 -> 0.5 + (1/3)(0.1) = 0.5333 -> continue.
    // 0.55: cutoff of [0.4, 0.5, 0.6, 0.9] at position 2 -> 0.6 -> stop.
    expect(arrive(MAX3, [0.5, 0.6, 0.4, 0.9, 0.55])).toEqual([
      'continue',
      'continue',
      'stop',
      'continue',
      'stop',
    ]);
    expect(ashaCutoff(MAX3, [0.5, 0.6])).toBeCloseTo(0.5 + 0.1 * (2 / 3), 12);
    expect(ashaCutoff(MAX3, [0.4, 0.5, 0.6, 0.9])).toBeCloseTo(0.6, 12);
  });

  it('rf 2, min (a loss): a value at most the median of the earlier ones goes on', () => {
    const rule: AshaRule = { mode: 'min', gracePeriod: 1, reductionFactor: 2 };
    // 1.0 first -> continue; 2.0 > 1.0 -> stop; 0.5 <= median(1, 2) = 1.5 -> continue; 1.5 <= median(0.5, 1, 2) = 1 ? no -> stop
    expect(arrive(rule, [1.0, 2.0, 0.5, 1.5])).toEqual(['continue', 'stop', 'continue', 'stop']);
  });

  it('equal to the cutoff goes on; NaN is stopped unless first and ignored in cutoffs', () => {
    expect(ashaDecide(MAX3, [0.5, 0.5], 0.5)).toEqual({ action: 'continue', cutoff: 0.5 });
    expect(ashaDecide(MAX3, [0.5], Number.NaN).action).toBe('stop');
    expect(ashaDecide(MAX3, [Number.NaN], 0.1)).toEqual({ action: 'continue', cutoff: null });
  });
});

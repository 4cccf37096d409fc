import { describe, expect, it } from 'vitest';
import { formatTick, niceTicks } from '../src/index.js';

const labels = (min: number, max: number, opts = {}) => {
  const t = niceTicks(min, max, opts);
  return t.values.map((v) => formatTick(v, t.decimals));
};

describe('niceTicks', () => {
  it('covers a free range with steps of 1, 2 or 5 times a power of ten', () => {
    expect(labels(0, 0.93)).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(labels(0.08, 2.4)).toEqual(['0.0', '0.5', '1.0', '1.5', '2.0', '2.5']);
    expect(labels(-250, 250)).toEqual(['-300', '-200', '-100', '0', '100', '200', '300']);
    expect(labels(0.0213, 0.0287)).toEqual(['0.020', '0.022', '0.024', '0.026', '0.028', '0.030']);
  });

  it('keeps only ticks inside a fixed range', () => {
    expect(labels(-250, 250, { extend: false })).toEqual(['-200', '-100', '0', '100', '200']);
    expect(labels(1, 12, { extend: false, integer: true })).toEqual(['2', '4', '6', '8', '10', '12']);
  });

  it('gives whole numbers for integer axes and widens a zero-width range', () => {
    expect(labels(1, 3, { integer: true })).toEqual(['1', '2', '3']);
    expect(labels(1, 1, { integer: true })).toEqual(['0', '1', '2']);
    expect(labels(0, 0)).toEqual(['-1.0', '-0.5', '0.0', '0.5', '1.0']);
  });

  it('rejects reversed and non-finite ranges', () => {
    expect(() => niceTicks(2, 1)).toThrow(/need finite min <= max, got \[2, 1\]/);
    expect(() => niceTicks(0, Number.NaN)).toThrow(/finite/);
  });
});

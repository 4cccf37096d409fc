import { describe, expect, it } from 'vitest';
import { isLrSchedule, parseLrSchedule } from '../src/index.js';

describe('parseLrSchedule', () => {
  it('reads the three forms', () => {
    expect(parseLrSchedule('constant')).toEqual({ kind: 'constant' });
    expect(parseLrSchedule('cosine')).toEqual({ kind: 'cosine' });
    expect(parseLrSchedule('step:10:2')).toEqual({ kind: 'step', everyEpochs: 10, factor: 2 });
  });

  it.each(['step:0:2', 'step:3:1', 'linear', 'step:2'])('refuses %s', (text) => {
    expect(isLrSchedule(text)).toBe(false);
    expect(() => parseLrSchedule(text)).toThrow(/EVERY|constant/);
  });
});

import { describe, expect, it } from 'vitest';
import { shuffledIndices, splitValidation, takeFirst, takeIndices, takeStratified } from '../src/index.js';
import { tinySet } from './fixtures.js';

const sorted = (a: ArrayLike<number>) => Array.from(a).sort((x, y) => x - y);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('shuffledIndices', () => {
  it('is a permutation fixed by the seed', () => {
    const a = shuffledIndices(1000, 7);
    expect(sorted(a)).toEqual(range(1000));
    expect(Array.from(shuffledIndices(1000, 7))).toEqual(Array.from(a));
    expect(Array.from(shuffledIndices(1000, 8))).not.toEqual(Array.from(a));
    expect(Array.from(a)).not.toEqual(range(1000));
  });

  it('rejects a non-integer seed', () => {
    expect(() => shuffledIndices(10, 1.5)).toThrow(/seed must be an integer/);
  });
});

describe('splitValidation', () => {
  const set = tinySet(range(100).map((i) => i % 10));

  it('without a seed holds out the last 20% unshuffled, as Keras does', () => {
    const { train, validation } = splitValidation(set);
    expect([train.count, validation.count]).toEqual([80, 20]);
    expect(train.images[0]).toBe(0);
    expect(validation.images[0]).toBe(80);
    expect(validation.images.buffer).toBe(set.images.buffer); // a view, not a copy
  });

  it('with a seed is a deterministic shuffled partition', () => {
    const a = splitValidation(set, { fraction: 0.3, seed: 5 });
    const b = splitValidation(set, { fraction: 0.3, seed: 5 });
    const c = splitValidation(set, { fraction: 0.3, seed: 6 });
    expect([a.train.count, a.validation.count]).toEqual([70, 30]);
    expect(a).toEqual(b);
    expect(Array.from(c.validation.labels)).not.toEqual(Array.from(a.validation.labels));
    const firstPixels = (s: typeof set) => range(s.count).map((i) => s.images[i * 6]);
    expect(sorted([...firstPixels(a.train), ...firstPixels(a.validation)])).toEqual(range(100));
  });

  it('rejects fractions outside [0, 1)', () => {
    expect(() => splitValidation(set, { fraction: 1 })).toThrow(
      /validation fraction must be in \[0, 1\), got 1/,
    );
    expect(() => splitValidation(set, { fraction: -0.1 })).toThrow(/validation fraction/);
  });
});

describe('subsets', () => {
  // 10 classes with 3..12 images each, in a shuffled order.
  const labels = Array.from(shuffledIndices(75, 1), (i) => (i < 30 ? i % 10 : 3 + (i % 7)));
  const set = tinySet(labels);

  it('takeFirst keeps the first n images', () => {
    const first = takeFirst(set, 7);
    expect(first.count).toBe(7);
    expect(Array.from(first.labels)).toEqual(labels.slice(0, 7));
    expect(() => takeFirst(set, 76)).toThrow(/takeFirst: n must be an integer in \[0, 75\], got 76/);
  });

  it('takeIndices copies the chosen images in order', () => {
    const picked = takeIndices(set, [4, 0, 4]);
    expect(Array.from(picked.images.subarray(0, 6))).toEqual([4, 4, 4, 4, 4, 4]);
    expect(picked.images[6]).toBe(0);
    expect(() => takeIndices(set, [75])).toThrow(/index 75 \(position 0\) is outside \[0, 75\)/);
  });

  it('takeStratified takes exactly perClass of every class, seeded', () => {
    const a = takeStratified(set, 3, 11);
    const counts = new Array<number>(10).fill(0);
    for (const l of a.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(3));
    // every chosen image really carries its label (pixel value = original index)
    for (let i = 0; i < a.count; i++) expect(labels[a.images[i * 6]]).toBe(a.labels[i]);
    expect(takeStratified(set, 3, 11)).toEqual(a);
    expect(takeStratified(set, 3, 12).images).not.toEqual(a.images);
    expect(() => takeStratified(set, 4, 11)).toThrow(/label \d has only 3 images, fewer than perClass=4/);
  });
});

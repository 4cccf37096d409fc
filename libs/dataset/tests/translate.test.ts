import { describe, expect, it } from 'vitest';
import { type ImageSet, imageAt, loadDataset, takeFirst, translatedSet } from '../src/index.js';

// Buffer.equals: vitest's deep equality takes seconds on 200,000-element arrays.
const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

function nonzeroBounds(pixels: Uint8Array, side: number) {
  let [x0, y0, x1, y1] = [side, side, 0, 0];
  pixels.forEach((v, p) => {
    if (v === 0) return;
    const x = p % side;
    const y = Math.floor(p / side);
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
  });
  return { x0, y0, x1, y1 };
}

describe('translatedSet', () => {
  let digits: ImageSet;
  const load = async () => (digits ??= takeFirst(await loadDataset({ split: 'test' }), 50));

  it('pastes each digit whole on a blank canvas, and boxes are its tight nonzero box (x1/y1 exclusive)', async () => {
    const source = await load();
    const { set, boxes } = translatedSet(source, { seed: 4 });
    expect(set).toMatchObject({ count: 50, rows: 64, cols: 64 });
    expect(Array.from(set.labels)).toEqual(Array.from(source.labels));
    for (let i = 0; i < set.count; i++) {
      const canvas = imageAt(set, i);
      expect(boxes[i]).toEqual(nonzeroBounds(canvas, 64));
      // the same ink: canvas pixel sum equals the digit's
      const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
      expect(sum(canvas)).toBe(sum(imageAt(source, i)));
    }
    const lefts = new Set(boxes.map((b) => b.x0));
    expect(lefts.size).toBeGreaterThan(10); // positions really vary
  });

  it('is deterministic in the seed and honours the canvas size', async () => {
    const source = await load();
    const [a, b] = [translatedSet(source, { seed: 4 }), translatedSet(source, { seed: 4 })];
    expect(sameBytes(a.set.images, b.set.images)).toBe(true);
    expect(a.boxes).toEqual(b.boxes);
    expect(translatedSet(source, { seed: 5 }).boxes).not.toEqual(translatedSet(source, { seed: 4 }).boxes);
    const small = translatedSet(source, { seed: 1, canvas: 28 });
    expect(sameBytes(small.set.images, source.images)).toBe(true); // no room to move
    expect(() => translatedSet(source, { seed: 1, canvas: 20 })).toThrow(
      /canvas must be an integer of at least 28, got 20/,
    );
  });

  it('gives a blank image an empty box at its position', () => {
    const blank: ImageSet = {
      images: new Uint8Array(4),
      labels: Uint8Array.of(0),
      count: 1,
      rows: 2,
      cols: 2,
    };
    const [box] = translatedSet(blank, { seed: 2, canvas: 6 }).boxes;
    expect(box.x1 - box.x0).toBe(0);
    expect(box.y1 - box.y0).toBe(0);
  });
});

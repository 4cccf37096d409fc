import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '@cam/dataset';
import { describe, expect, it } from 'vitest';
import {
  boxFromMap,
  centredBox,
  computeMaps,
  evaluateLocalization,
  iou,
  localizationAccuracy,
  withInputSize,
} from '../src/index.js';
import { tinyCamModel } from './tiny-model.js';

// Before any model is built: importing @cam/model registers wasm, which would otherwise take priority.
await tf.setBackend('cpu');

/** A w x h map with rectangular blobs of given heights. */
function blobs(
  h: number,
  w: number,
  rects: { x0: number; y0: number; x1: number; y1: number; value: number }[],
): Float32Array {
  const map = new Float32Array(h * w);
  for (const r of rects)
    for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) map[y * w + x] = r.value;
  return map;
}

describe('box from a map', () => {
  it('keeps the largest connected component above 20 % of the maximum', () => {
    // A small very hot blob and a large warm one: the large one wins by size, the faint one (< 20 %) is ignored.
    const map = blobs(20, 30, [
      { x0: 1, y0: 1, x1: 3, y1: 3, value: 10 },
      { x0: 10, y0: 5, x1: 20, y1: 12, value: 3 },
      { x0: 0, y0: 17, x1: 30, y1: 20, value: 1.9 },
    ]);
    expect(boxFromMap(map, 20, 30)).toEqual({ x0: 10, y0: 5, x1: 20, y1: 12 });
    // At a 10 % threshold the faint band counts and is the largest.
    expect(boxFromMap(map, 20, 30, 0.1)).toEqual({ x0: 0, y0: 17, x1: 30, y1: 20 });
  });

  it('joins diagonal neighbours (8-connectivity) and handles empty maps', () => {
    const map = blobs(6, 6, [
      { x0: 0, y0: 0, x1: 1, y1: 1, value: 1 },
      { x0: 1, y0: 1, x1: 2, y1: 2, value: 1 },
      { x0: 2, y0: 2, x1: 3, y1: 3, value: 1 },
      { x0: 5, y0: 0, x1: 6, y1: 2, value: 1 },
    ]);
    expect(boxFromMap(map, 6, 6)).toEqual({ x0: 0, y0: 0, x1: 3, y1: 3 });
    expect(boxFromMap(new Float32Array(36), 6, 6)).toBeUndefined();
    expect(boxFromMap(new Float32Array(36).fill(-1), 6, 6)).toBeUndefined();
    expect(() => boxFromMap(new Float32Array(35), 6, 6)).toThrow(/expected 6x6/);
  });

  it('IoU and accuracy', () => {
    const a = { x0: 0, y0: 0, x1: 10, y1: 10 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x0: 5, y0: 0, x1: 15, y1: 10 })).toBeCloseTo(50 / 150, 12);
    expect(iou(a, { x0: 10, y0: 10, x1: 20, y1: 20 })).toBe(0);
    expect(iou(a, undefined)).toBe(0);
    expect(
      localizationAccuracy(
        [a, { x0: 5, y0: 0, x1: 15, y1: 10 }, undefined, { x0: 0, y0: 0, x1: 10, y1: 8 }],
        [a, a, a, a],
      ),
    ).toBe(0.5);
    expect(centredBox(64, 64, 20, 18)).toEqual({ x0: 23, y0: 22, x1: 41, y1: 42 });
  });
});

describe('on canvases', () => {
  it('runs a 28x28 model on 64x64 canvases with the same weights, and scores its boxes', async () => {
    const model = tinyCamModel({ size: 28, seed: 2 });
    const canvas = withInputSize(model, 64, 64);
    expect(canvas.outputs[0].shape).toEqual([null, 4]);
    const images = new Uint8Array(3 * 64 * 64);
    const truth = [0, 1, 2].map((i) => ({ x0: 5 + 10 * i, y0: 8 + 7 * i, x1: 25 + 10 * i, y1: 30 + 7 * i }));
    truth.forEach((b, i) => {
      for (let y = b.y0; y < b.y1; y++) for (let x = b.x0; x < b.x1; x++) images[i * 4096 + y * 64 + x] = 255;
    });
    const set: ImageSet = { images, labels: new Uint8Array(3), count: 3, rows: 64, cols: 64 };
    const result = await evaluateLocalization(model, set, truth, { method: 'cam', batchSize: 2 });
    expect(result.boxes).toHaveLength(3);
    // The boxes are the ones the maps give, scored against the truth.
    const xs = tf.tensor4d(
      Float32Array.from(images, (v) => v / 255),
      [3, 64, 64, 1],
    );
    const maps = await computeMaps(canvas, xs);
    const expected = [0, 1, 2].map((i) => boxFromMap(maps.maps.subarray(i * 4096, (i + 1) * 4096), 64, 64));
    expect(result.boxes).toEqual(expected);
    expect(result.accuracy).toBe(localizationAccuracy(expected, truth));
  });
});

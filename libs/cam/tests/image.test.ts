import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  colormapBytes,
  colormapTable,
  colourOf,
  decodePng,
  encodePng,
  heatmapImage,
  mapResizer,
  normaliseMap,
  overlayImage,
  resizeMap,
  valueRange,
} from '../src/index.js';

// Before any model is built: importing @cam/model registers wasm, which would otherwise take priority.
await tf.setBackend('cpu');

describe('colour maps', () => {
  // Published values: matplotlib's cmap(i / 255) for i = 0, 128, 255 (float RGB).
  const published: [string, number, [number, number, number]][] = [
    ['jet', 0, [0, 0, 0.5]],
    ['jet', 128, [0.4901960784313725, 1, 0.4775458570524984]],
    ['jet', 255, [0.5, 0, 0]],
    ['jet', 64, [0, 0.5039215686274509, 1]],
    ['viridis', 0, [0.267004, 0.004874, 0.329415]],
    ['viridis', 128, [0.127568, 0.566949, 0.550556]],
    ['viridis', 255, [0.993248, 0.906157, 0.143936]],
    ['inferno', 0, [0.001462, 0.000466, 0.013866]],
    ['inferno', 128, [0.735683, 0.215906, 0.330245]],
    ['inferno', 255, [0.988362, 0.998364, 0.644924]],
    ['turbo', 0, [0.18995, 0.07176, 0.23217]],
    ['turbo', 128, [0.64362, 0.98999, 0.23356]],
    ['turbo', 255, [0.4796, 0.01583, 0.01055]],
    ['gray', 0, [0, 0, 0]],
    ['gray', 51, [0.2, 0.2, 0.2]],
    ['gray', 255, [1, 1, 1]],
  ];
  it.each(published)('%s[%i] is the published colour', (name, index, rgb) => {
    const table = colormapTable(name as 'jet');
    expect(table.length).toBe(768);
    for (let c = 0; c < 3; c++) expect(table[index * 3 + c]).toBeCloseTo(rgb[c], 6);
  });

  it('looks values up as matplotlib does (x * 256 truncated, 1 -> last entry) and rejects values outside [0, 1]', () => {
    expect(colourOf('jet', 0)).toEqual([0, 0, 127]);
    expect(colourOf('jet', 1)).toEqual([127, 0, 0]);
    expect(colourOf('gray', 0.5)).toEqual([128, 128, 128]);
    expect(() => colourOf('jet', 1.01)).toThrow(/\[0, 1\]/);
    expect(() => colourOf('jet', Number.NaN)).toThrow(/\[0, 1\]/);
    expect(colormapBytes('viridis').length).toBe(768);
  });
});

describe('upsampling', () => {
  it.each([
    [28, 112],
    [28, 28],
    [7, 896],
    [13, 50],
  ])('bilinear %i -> %i agrees with tf.image.resizeBilinear (half-pixel centres)', async (from, to) => {
    const map = tf.randomNormal([from, from], 0, 10, 'float32', from + to);
    const values = (await map.data()) as Float32Array;
    const expected = (await tf.image
      .resizeBilinear(map.reshape([1, from, from, 1]) as tf.Tensor4D, [to, to], false, true)
      .data()) as Float32Array;
    const actual = mapResizer(from, from, to, to)(values);
    let worst = 0;
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    expect(worst).toBeLessThan(1e-4);
  });

  it('nearest repeats each source pixel in a block and agrees with tf.image.resizeNearestNeighbor', async () => {
    const map = Float32Array.from({ length: 28 * 28 }, (_, i) => i);
    const up = resizeMap(map, 28, 28, 112, 'nearest');
    expect(up[0]).toBe(0);
    expect(up[3]).toBe(0);
    expect(up[4]).toBe(1);
    expect(up[112 * 4]).toBe(28);
    const expected = await tf.image
      .resizeNearestNeighbor(tf.tensor4d(map, [1, 28, 28, 1]), [112, 112], false, true)
      .data();
    expect(Array.from(up)).toEqual(Array.from(expected));
  });

  it('rejects sizes outside 28..896 and maps of the wrong length', () => {
    const map = new Float32Array(28 * 28);
    expect(() => resizeMap(map, 28, 28, 27)).toThrow(/size must be an integer from 28 to 896/);
    expect(() => resizeMap(map, 28, 28, 897)).toThrow(/896/);
    expect(() => resizeMap(map, 28, 27, 56)).toThrow(/expected 28x27/);
  });
});

describe('normalisation', () => {
  const map = Float32Array.from([-300, -100, 0, 50, 100, 400]);
  it('min-max per image', () => {
    expect(Array.from(normaliseMap(map, { mode: 'minmax' }).values)).toEqual(
      [0, 200 / 700, 300 / 700, 350 / 700, 400 / 700, 1].map(Math.fround),
    );
  });
  it('a fixed symmetric range, clipped (the seed: [-250, 250])', () => {
    expect(Array.from(normaliseMap(map, { mode: 'fixed', range: [-250, 250] }).values)).toEqual(
      [0, 0.3, 0.5, 0.6, 0.7, 1].map(Math.fround),
    );
  });
  it('percentile clipping (numpy linear interpolation)', () => {
    const ramp = Float32Array.from({ length: 101 }, (_, i) => i);
    expect(valueRange(ramp, { mode: 'percentile', percentiles: [10, 90] })).toEqual([10, 90]);
    const out = normaliseMap(ramp, { mode: 'percentile', percentiles: [10, 90] }).values;
    expect([out[0], out[10], out[50], out[90], out[100]]).toEqual([0, 0, 0.5, 1, 1]);
  });
  it('optional ReLU first, and a constant map becomes zeros', () => {
    expect(Array.from(normaliseMap(map, { mode: 'minmax' }, true).values)).toEqual([0, 0, 0, 0.125, 0.25, 1]);
    expect(Array.from(normaliseMap(new Float32Array(3).fill(5), { mode: 'minmax' }).values)).toEqual([
      0, 0, 0,
    ]);
  });
});

describe('overlay and PNG', () => {
  it('encodes an overlay that decodes to the right size, with the colour map at the maximum and minimum', () => {
    const raw = resizeMap(
      Float32Array.from({ length: 28 * 28 }, (_, i) => Math.sin(i / 50) * 100),
      28,
      28,
      112,
    );
    const heat = normaliseMap(raw, { mode: 'minmax' }).values;
    const grey = new Float32Array(112 * 112).fill(0.5);
    const png = encodePng(overlayImage(heat, grey, 112, 112, 'jet', 0.8));
    const image = decodePng(png);
    expect([image.width, image.height]).toEqual([112, 112]);
    const argmax = heat.indexOf(1);
    const argmin = heat.indexOf(0);
    const pixel = (i: number) => Array.from(image.data.subarray(i * 3, i * 3 + 3));
    // 0.8 * jet(1) + 0.2 * grey and 0.8 * jet(0) + 0.2 * grey, within rounding.
    const blend = (rgb: number[]) => rgb.map((c) => 0.8 * c + 0.2 * 127.5);
    const within1 = (actual: number[], expected: number[]) =>
      actual.forEach((v, c) => expect(Math.abs(v - expected[c])).toBeLessThanOrEqual(1));
    within1(pixel(argmax), blend([127, 0, 0]));
    within1(pixel(argmin), blend([0, 0, 127]));
    const heatOnly = decodePng(encodePng(heatmapImage(heat, 112, 112, 'viridis')));
    expect(Array.from(heatOnly.data.subarray(argmax * 3, argmax * 3 + 3))).toEqual(
      Array.from(colormapBytes('viridis').subarray(765)),
    );
  });

  it('checks its inputs', () => {
    const ok = new Float32Array(4);
    expect(() => overlayImage(ok, ok, 2, 2, 'jet', 1.5)).toThrow(/alpha/);
    expect(() => overlayImage(Float32Array.from([0, 2, 0, 0]), ok, 2, 2, 'jet', 0.8)).toThrow(
      /heat\[1\] must be in \[0, 1\]/,
    );
    expect(() => overlayImage(ok, new Float32Array(3), 2, 2, 'jet', 0.8)).toThrow(/2x2/);
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(5) })).toThrow(/12 bytes/);
  });
});

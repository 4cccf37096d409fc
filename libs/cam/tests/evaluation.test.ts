import * as tf from '@tensorflow/tfjs';
import type { Box } from '@cam/dataset';
import { mulberry32 } from '@cam/dataset';
import { describe, expect, it } from 'vitest';
import {
  type Explainer,
  type GreyImages,
  areaUnderCurve,
  blurImages,
  cascadingRandomization,
  confidenceChange,
  deletionInsertion,
  evaluateExplainers,
  explanationImages,
  methodExplainer,
  noisyLinearImpute,
  percentile,
  pixelOrder,
  pointingHit,
  randomMapExplainer,
  roadKeepMask,
  spearman,
} from '../src/index.js';
import { randomImages, tinyCamModel } from './tiny-model.js';

await tf.setBackend('cpu');

describe('metrics on hand-computed cases', () => {
  it('area under a curve over [0, 1] by trapezoids, pixel order most salient first', () => {
    expect(areaUnderCurve([1, 0.5, 0])).toBeCloseTo(0.5, 12);
    expect(areaUnderCurve([0, 1])).toBeCloseTo(0.5, 12);
    expect(areaUnderCurve([0.2, 0.2, 0.2, 0.2])).toBeCloseTo(0.2, 12);
    expect(Array.from(pixelOrder([0.1, 0.9, 0.5, 0.9]))).toEqual([1, 3, 2, 0]);
  });

  it('deletion and insertion curves of a 2x2 image, one scorer call per step and curve for all images', async () => {
    // Scorer: P(class 0) = mean of the pixels.
    const calls: number[] = [];
    const scorer = async (pixels: Float32Array, n: number) => {
      calls.push(n);
      const out = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        const m = (pixels[i * 4] + pixels[i * 4 + 1] + pixels[i * 4 + 2] + pixels[i * 4 + 3]) / 4;
        out.set([m, 1 - m], i * 2);
      }
      return out;
    };
    const images: GreyImages = {
      pixels: Float32Array.from([1, 0.5, 0, 0.25, 1, 0.5, 0, 0.25]),
      n: 2,
      rows: 2,
      cols: 2,
    };
    const maps = Float32Array.from([4, 3, 2, 1, 1, 2, 3, 4]);
    const result = await deletionInsertion(scorer, images, maps, Int32Array.from([0, 0]), {
      steps: 4,
      blurred: new Float32Array(8),
    });
    expect(calls).toEqual(Array(10).fill(2));
    const near = (a: ArrayLike<number>, b: number[]) =>
      Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
    near(result.deletion.subarray(0, 5), [0.4375, 0.1875, 0.0625, 0.0625, 0]);
    near(result.insertion.subarray(0, 5), [0, 0.25, 0.375, 0.375, 0.4375]);
    expect(result.deletionAuc[0]).toBeCloseTo(0.1328125, 6);
    expect(result.insertionAuc[0]).toBeCloseTo(0.3046875, 6);
    // The second image removes its pixels in the opposite order: 0.25 first.
    near(result.deletion.subarray(5, 10), [0.4375, 0.375, 0.375, 0.25, 0]);
    near(result.meanDeletion, [0.4375, 0.28125, 0.21875, 0.15625, 0]);
  });

  it('blurs a constant image to itself (kernel renormalised at the borders)', () => {
    const blurred = blurImages({ pixels: new Float32Array(36).fill(0.3), n: 1, rows: 6, cols: 6 });
    blurred.forEach((v) => expect(v).toBeCloseTo(0.3, 6));
  });

  it('average drop and increase in confidence; the explanation map is the image times the min-max scaled map', () => {
    const change = confidenceChange(Float32Array.from([0.8, 0.5]), Float32Array.from([0.4, 0.6]));
    expect(Array.from(change.drops)).toEqual([0.5, 0]);
    expect(change.averageDrop).toBeCloseTo(0.25, 7);
    expect(change.increaseInConfidence).toBe(0.5);
    const explained = explanationImages(
      { pixels: Float32Array.from([1, 1, 0.5, 1]), n: 1, rows: 2, cols: 2 },
      Float32Array.from([0, 1, 2, 4]),
    );
    expect(Array.from(explained)).toEqual([0, 0.25, 0.25, 1]);
  });

  it("ROAD's percentile (NumPy's linear), MoRF / LeRF masks and the noisy linear imputation", () => {
    expect(percentile([4, 1, 3, 2], 50)).toBeCloseTo(2.5, 12);
    expect(percentile([1, 2, 3, 4], 10)).toBeCloseTo(1.3, 12);
    expect(Array.from(roadKeepMask([1, 2, 3, 4], 50, 'morf'))).toEqual([1, 1, 0, 0]);
    expect(Array.from(roadKeepMask([1, 2, 3, 4], 50, 'lerf'))).toEqual([0, 0, 1, 1]);
    // One missing centre: the weighted mean of its neighbours (direct 1/6 each = 1, diagonal 1/12 each = 0).
    const cross = [0, 1, 0, 1, 9, 1, 0, 1, 0];
    const centre = noisyLinearImpute(cross, Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1]), 3, 3, 0);
    expect(centre[4]).toBeCloseTo(4 / 6, 6);
    expect(Array.from(centre.subarray(0, 4))).toEqual([0, 1, 0, 1]);
    // Two unknowns solved jointly: x1 = (1 + x2) / 2, x2 = (x1 + 0) / 2 -> 2/3, 1/3.
    const row = noisyLinearImpute([1, 7, 7, 0], Uint8Array.from([1, 0, 0, 1]), 1, 4, 0);
    expect(row[1]).toBeCloseTo(2 / 3, 6);
    expect(row[2]).toBeCloseTo(1 / 3, 6);
    // Noise is added to imputed pixels only; nothing kept -> black plus noise.
    const noisy = noisyLinearImpute([1, 7, 7, 0], Uint8Array.from([1, 0, 0, 1]), 1, 4, 0.5, () => 1);
    expect(Array.from(noisy)).toEqual([1, expect.closeTo(2 / 3 + 0.5, 6), expect.closeTo(1 / 3 + 0.5, 6), 0]);
    expect(Array.from(noisyLinearImpute([5, 5], new Uint8Array(2), 1, 2, 0))).toEqual([0, 0]);
  });

  it('pointing game: the maximum inside the box, or within the tolerance', () => {
    const map = [0, 0, 0, 0, 5, 0, 0, 0, 5];
    expect(pointingHit(map, 3, 3, { x0: 1, y0: 1, x1: 2, y1: 2 })).toBe(true);
    expect(pointingHit(map, 3, 3, { x0: 2, y0: 2, x1: 3, y1: 3 })).toBe(false);
    expect(pointingHit(map, 3, 3, { x0: 2, y0: 2, x1: 3, y1: 3 }, 1.5)).toBe(true);
  });

  it("Spearman's rank correlation with average ranks for ties", () => {
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 2], [1, 2, 3])).toBeCloseTo(Math.sqrt(3) / 2, 12);
    expect(spearman([1, 5, 9, 20], [2, 3, 100, 101])).toBeCloseTo(1, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
  });
});

/**
 * A task whose evidence is known: a bright 3x3 square at a random place on faint noise. The hand-set
 * model (1x1 conv -> GAP -> dense) scores class 1 by the bright pixels (relu(x - 0.5)) and class 0 by a
 * constant plus the mean brightness, so the square is the evidence for class 1 and the background
 * against it.
 */
const SIDE = 12;

function squareTask(n: number, seed: number): { images: GreyImages; boxes: Box[] } {
  const rng = mulberry32(seed);
  const pixels = Float32Array.from({ length: n * SIDE * SIDE }, () => rng() * 0.2);
  const boxes = Array.from({ length: n }, (_, i) => {
    const x0 = Math.floor(rng() * (SIDE - 2));
    const y0 = Math.floor(rng() * (SIDE - 2));
    for (let y = y0; y < y0 + 3; y++) for (let x = x0; x < x0 + 3; x++) pixels[(i * SIDE + y) * SIDE + x] = 1;
    return { x0, y0, x1: x0 + 3, y1: y0 + 3 };
  });
  return { images: { pixels, n, rows: SIDE, cols: SIDE }, boxes };
}

function squareModel(): tf.LayersModel {
  const input = tf.input({ shape: [SIDE, SIDE, 1] });
  const conv = tf.layers.conv2d({ name: 'conv_1', filters: 3, kernelSize: 1, activation: 'relu' });
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' });
  const dense = tf.layers.dense({ name: 'logits', units: 2, useBias: false });
  const output = tf.layers
    .activation({ activation: 'softmax' })
    .apply(dense.apply(gap.apply(conv.apply(input)))) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  // Channels: bright = relu(x - 0.5), one = 1, brightness = x.
  conv.setWeights([tf.tensor4d([1, 0, 1], [1, 1, 1, 3]), tf.tensor1d([-0.5, 1, 0])]);
  dense.setWeights([tf.tensor2d([0, 80, 1.2, 0, 4, 0], [3, 2])]);
  return model;
}

/**
 * The true evidence: 1 on the square (a little more towards its centre, so that no two of its pixels
 * tie), falling off steeply with the distance to it.
 */
function oracle(boxes: Box[]): Explainer {
  return {
    name: 'oracle',
    async explain(_model, { n, rows, cols }) {
      const out = new Float32Array(n * rows * cols);
      for (let i = 0; i < n; i++) {
        const { x0, y0, x1, y1 } = boxes[i];
        for (let y = 0; y < rows; y++)
          for (let x = 0; x < cols; x++) {
            const outside = Math.hypot(Math.max(x0 - x, 0, x - x1 + 1), Math.max(y0 - y, 0, y - y1 + 1));
            const fromCentre = (y - y0 - 1) ** 2 + (x - x0 - 1) ** 2;
            out[(i * rows + y) * cols + x] = Math.exp(-2 * outside ** 2) + 0.01 * Math.exp(-fromCentre);
          }
      }
      return out;
    },
  };
}

/** A map that ignores the model: the gradient magnitude of the input (central differences). */
const edgeDetector: Explainer = {
  name: 'edges',
  async explain(_model, { pixels, n, rows, cols }) {
    const at = (i: number, y: number, x: number) =>
      pixels[(i * rows + Math.min(rows - 1, Math.max(0, y))) * cols + Math.min(cols - 1, Math.max(0, x))];
    return Float32Array.from({ length: n * rows * cols }, (_, p) => {
      const i = Math.floor(p / (rows * cols));
      const y = Math.floor(p / cols) % rows;
      const x = p % cols;
      return Math.hypot(at(i, y, x + 1) - at(i, y, x - 1), at(i, y + 1, x) - at(i, y - 1, x));
    });
  },
};

describe('on a synthetic task with known evidence', () => {
  it('an oracle map beats the random map on every metric, and the model predicts class 1 throughout', async () => {
    const model = squareModel();
    const { images, boxes } = squareTask(24, 5);
    const report = await evaluateExplainers(model, images, [oracle(boxes), randomMapExplainer(3)], {
      labels: new Array(24).fill(1),
      localization: { images, boxes, model },
      sanityCount: 4,
    });
    expect(report.accuracy).toBe(1);
    const [truth, random] = report.rows;
    expect(truth.deletionAuc).toBeLessThan(random.deletionAuc);
    expect(truth.insertionAuc).toBeGreaterThan(random.insertionAuc);
    expect(truth.averageDrop).toBeLessThan(random.averageDrop);
    expect(truth.increaseInConfidence).toBeGreaterThan(random.increaseInConfidence);
    expect(truth.road).toBeGreaterThan(random.road);
    expect(truth.pointingGame!).toBeGreaterThan(random.pointingGame!);
    expect(truth.localizationAccuracy!).toBeGreaterThan(random.localizationAccuracy!);
    expect([truth.pointingGame, truth.localizationAccuracy]).toEqual([1, 1]);
    expect(report.curves[0].deletion).toHaveLength(17);
  });

  it('the sanity check flags a map that ignores the model (an edge detector), not Grad-CAM', async () => {
    const model = tinyCamModel({ seed: 9, filters: 8 });
    const xs = randomImages(6, 8, 31);
    const images: GreyImages = { pixels: (await xs.data()) as Float32Array, n: 6, rows: 8, cols: 8 };
    const targets = Int32Array.from([0, 1, 2, 3, 0, 1]);
    const edges = await cascadingRandomization(
      model,
      edgeDetector,
      images,
      targets,
      await edgeDetector.explain(model, images, targets),
    );
    expect(edges.steps.map((s) => s.layer)).toEqual(['logits', 'conv_2', 'conv_1']);
    expect(edges.final).toBeCloseTo(1, 6);
    expect(edges.flagged).toBe(true);
    const gradcam = methodExplainer('gradcam');
    const trained = await gradcam.explain(model, images, targets);
    const sane = await cascadingRandomization(model, gradcam, images, targets, trained);
    expect(sane.flagged).toBe(false);
    expect(sane.final).toBeLessThan(0.5);
  });
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CAM_METHOD_NAMES, cachedCamHead, computeMaps } from '../src/index.js';
import { randomImages, tinyCamModel } from './tiny-model.js';

// Before any model is built: importing @cam/model registers wasm, which would otherwise take priority.
await tf.setBackend('cpu');

/** CAM_c(y, x) = sum_k W[k, c] f_k(y, x) with plain loops over the same features and weights. */
function loopCam(
  features: Float32Array,
  weights: Float32Array,
  n: number,
  h: number,
  w: number,
  k: number,
  classes: number,
  c: (i: number) => number,
): Float32Array {
  const out = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let ch = 0; ch < k; ch++)
          sum += weights[ch * classes + c(i)] * features[((i * h + y) * w + x) * k + ch];
        out[(i * h + y) * w + x] = sum;
      }
  return out;
}

async function featuresAndWeights(model: tf.LayersModel, xs: tf.Tensor4D) {
  const head = cachedCamHead(model);
  const [f, logits] = head.features.predict(xs) as tf.Tensor[];
  const result = {
    features: (await f.data()) as Float32Array,
    logits: (await logits.data()) as Float32Array,
    weights: (await head.weights.data()) as Float32Array,
    k: f.shape[3] as number,
  };
  tf.dispose([f, logits]);
  return result;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThan(tolerance);
}

describe('CAM', () => {
  const model = tinyCamModel();
  const xs = randomImages(5);

  it('equals sum_k W[k, c] f_k computed with plain loops, for the predicted class', async () => {
    const result = await computeMaps(model, xs, { method: 'cam' });
    const { features, weights, k } = await featuresAndWeights(model, xs);
    expect([result.h, result.w, result.perItem]).toEqual([8, 8, 1]);
    expectClose(
      result.maps,
      loopCam(features, weights, 5, 8, 8, k, 4, (i) => result.predicted[i]),
      1e-5,
    );
    // The maps are not trivially zero or all positive: CAM has no ReLU.
    expect(Math.max(...result.maps)).toBeGreaterThan(0);
  });

  it('gives the maps of every class with target all, and a given class or the label on request', async () => {
    const all = await computeMaps(model, xs, { target: 'all' });
    const { features, weights, k } = await featuresAndWeights(model, xs);
    expect(all.perItem).toBe(4);
    for (let c = 0; c < 4; c++) {
      const one = await computeMaps(model, xs, { target: c });
      expect(Array.from(one.targets)).toEqual([c, c, c, c, c]);
      const reference = loopCam(features, weights, 5, 8, 8, k, 4, () => c);
      expectClose(one.maps, reference, 1e-5);
      for (let i = 0; i < 5; i++) {
        expectClose(
          all.maps.subarray((i * 4 + c) * 64, (i * 4 + c + 1) * 64),
          reference.subarray(i * 64, (i + 1) * 64),
          1e-5,
        );
      }
    }
    const labelled = await computeMaps(model, xs, { target: 'label', labels: [3, 2, 1, 0, 3] });
    expect(Array.from(labelled.targets)).toEqual([3, 2, 1, 0, 3]);
    await expect(computeMaps(model, xs, { target: 'label' })).rejects.toThrow(/needs a label/);
    await expect(computeMaps(model, xs, { target: 4 })).rejects.toThrow(/from 0 to 3/);
  });

  it('reports logits, softmax probabilities and the argmax', async () => {
    const result = await computeMaps(model, xs);
    const probs = (await (model.predict(xs) as tf.Tensor).data()) as Float32Array;
    expectClose(result.probabilities, probs, 1e-6);
    for (let i = 0; i < 5; i++) {
      const row = Array.from(probs.subarray(i * 4, i * 4 + 4));
      expect(result.predicted[i]).toBe(row.indexOf(Math.max(...row)));
    }
  });
});

describe('gradient methods on a GAP + linear head', () => {
  const model = tinyCamModel({ seed: 3 });
  const xs = randomImages(4, 8, 11);
  const hw = 64;

  it('Grad-CAM on the pre-softmax score equals ReLU(CAM) / (H * W)', async () => {
    const cam = await computeMaps(model, xs, { method: 'cam', target: 'all' });
    const grad = await computeMaps(model, xs, { method: 'gradcam', target: 'all' });
    expectClose(
      grad.maps,
      cam.maps.map((v) => Math.max(v, 0) / hw),
      1e-6,
    );
    expect(cam.maps.some((v) => v < 0)).toBe(true);
  });

  it('HiResCAM equals CAM / (H * W), negative values kept', async () => {
    const cam = await computeMaps(model, xs, { method: 'cam' });
    const hires = await computeMaps(model, xs, { method: 'hirescam' });
    expectClose(
      hires.maps,
      cam.maps.map((v) => v / hw),
      1e-6,
    );
  });

  it('Grad-CAM++ matches its closed form for constant gradients g = W[k, c] / (H * W)', async () => {
    // With g = W[k,c]/HW constant over (x, y): alpha = 1 / (2 + sum_xy A_k * g), w_k = HW * alpha * ReLU(g).
    const result = await computeMaps(model, xs, { method: 'gradcampp', target: 0 });
    const { features, weights, k } = await featuresAndWeights(model, xs);
    const expected = new Float32Array(4 * hw);
    for (let i = 0; i < 4; i++) {
      const channelWeights = Array.from({ length: k }, (_, ch) => {
        const g = weights[ch * 4] / hw;
        let sumA = 0;
        for (let p = 0; p < hw; p++) sumA += features[(i * hw + p) * k + ch];
        const denominator = 2 * g * g + sumA * g * g * g;
        return denominator === 0 ? 0 : ((g * g) / denominator) * Math.max(g, 0) * hw;
      });
      for (let p = 0; p < hw; p++) {
        let sum = 0;
        for (let ch = 0; ch < k; ch++) sum += channelWeights[ch] * features[(i * hw + p) * k + ch];
        expected[i * hw + p] = Math.max(sum, 0);
      }
    }
    expectClose(result.maps, expected, 1e-5);
  });
});

describe('Score-CAM', () => {
  it('weighs channel k by the target probability gain of the input masked by normalised A_k, one image at a time', async () => {
    const model = tinyCamModel({ seed: 4 });
    const xs = randomImages(2, 8, 5);
    const result = await computeMaps(model, xs, { method: 'scorecam', target: 1 });
    const { features, k } = await featuresAndWeights(model, xs);
    const pixels = (await xs.data()) as Float32Array;
    const probabilityOf1 = (image: Float32Array) =>
      (model.predict(tf.tensor4d(image, [1, 8, 8, 1])) as tf.Tensor).dataSync()[1];
    const baseline = probabilityOf1(new Float32Array(64));
    const expected = new Float32Array(2 * 64);
    for (let i = 0; i < 2; i++) {
      const channel = (ch: number) => Array.from({ length: 64 }, (_, p) => features[(i * 64 + p) * k + ch]);
      const weights = Array.from({ length: k }, (_, ch) => {
        const a = channel(ch);
        const lo = Math.min(...a);
        const span = Math.max(...a) - lo;
        const masked = Float32Array.from(a, (v, p) => (span > 0 ? (v - lo) / span : 0) * pixels[i * 64 + p]);
        return probabilityOf1(masked) - baseline;
      });
      for (let p = 0; p < 64; p++) {
        let sum = 0;
        for (let ch = 0; ch < k; ch++) sum += weights[ch] * features[(i * 64 + p) * k + ch];
        expected[i * 64 + p] = Math.max(sum, 0);
      }
    }
    expectClose(result.maps, expected, 1e-5);
  });
});

describe.each(CAM_METHOD_NAMES)('method %s', (name) => {
  it('gives finite [rows, H, W] maps for every target kind, with no leaked tensors', async () => {
    const model = tinyCamModel({ seed: 5, filters: 4 });
    const xs = randomImages(3, 8, 21);
    await computeMaps(model, xs, { method: name }); // builds the cached head
    const before = tf.memory().numTensors;
    for (const target of ['predicted', 'all', 2] as const) {
      const result = await computeMaps(model, xs, { method: name, target });
      expect(result.maps.length).toBe(3 * result.perItem * 64);
      expect(result.maps.every(Number.isFinite)).toBe(true);
      expect(result.maps.some((v) => v !== 0)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

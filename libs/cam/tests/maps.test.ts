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

/** Plain-loop helpers over features [N, H, W, K] stored flat (position-major, channel fastest). */
function loopWeightedSum(
  features: Float32Array,
  hw: number,
  k: number,
  n: number,
  weightOf: (i: number, ch: number, p: number) => number,
  relu: boolean,
): Float32Array {
  const out = new Float32Array(n * hw);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < hw; p++) {
      let sum = 0;
      for (let ch = 0; ch < k; ch++) sum += weightOf(i, ch, p) * features[(i * hw + p) * k + ch];
      out[i * hw + p] = relu ? Math.max(sum, 0) : sum;
    }
  return out;
}

describe('XGrad-CAM, LayerCAM, Ablation-CAM on the last conv (gradient dy_c/dA_k = W[k, c] / (H * W))', () => {
  const model = tinyCamModel({ seed: 6 });
  const xs = randomImages(4, 8, 13);
  const hw = 64;
  const target = 2;

  it('XGrad-CAM: w_k = sum_xy A_k g / sum_xy A_k = W[k, c] / (H * W), ReLU', async () => {
    const result = await computeMaps(model, xs, { method: 'xgradcam', target });
    const { features, weights, k } = await featuresAndWeights(model, xs);
    const expected = loopWeightedSum(
      features,
      hw,
      k,
      4,
      (i, ch) => {
        let sumA = 0;
        let sumAg = 0;
        for (let p = 0; p < hw; p++) {
          sumA += features[(i * hw + p) * k + ch];
          sumAg += (features[(i * hw + p) * k + ch] * weights[ch * 4 + target]) / hw;
        }
        return sumA === 0 ? 0 : sumAg / sumA;
      },
      true,
    );
    expectClose(result.maps, expected, 1e-6);
  });

  it('LayerCAM: ReLU(sum_k ReLU(g_k) A_k)', async () => {
    const result = await computeMaps(model, xs, { method: 'layercam', target });
    const { features, weights, k } = await featuresAndWeights(model, xs);
    const expected = loopWeightedSum(
      features,
      hw,
      k,
      4,
      (_, ch) => Math.max(weights[ch * 4 + target], 0) / hw,
      true,
    );
    expectClose(result.maps, expected, 1e-6);
    expect(result.maps.some((v) => v > 0)).toBe(true);
  });

  it('Ablation-CAM: w_k = (y_c - y_c^k) / y_c, where zeroing A_k lowers y_c by W[k, c] mean_xy A_k', async () => {
    const result = await computeMaps(model, xs, { method: 'ablationcam', target });
    const { features, weights, logits, k } = await featuresAndWeights(model, xs);
    const expected = loopWeightedSum(
      features,
      hw,
      k,
      4,
      (i, ch) => {
        let mean = 0;
        for (let p = 0; p < hw; p++) mean += features[(i * hw + p) * k + ch] / hw;
        const score = logits[i * 4 + target];
        return score === 0 ? 0 : (weights[ch * 4 + target] * mean) / score;
      },
      true,
    );
    expectClose(result.maps, expected, 1e-5);
  });
});

/** Eigenvalues and eigenvectors (columns of v) of a symmetric matrix by cyclic Jacobi rotations. */
function jacobiEigen(matrix: number[][]): { values: number[]; vectors: number[][] } {
  const n = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v = a.map((_, i) => a.map((__, j): number => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const [arp, arq] = [a[r][p], a[r][q]];
          a[r][p] = c * arp - s * arq;
          a[r][q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const [apr, aqr] = [a[p][r], a[q][r]];
          a[p][r] = c * apr - s * aqr;
          a[q][r] = s * apr + c * aqr;
        }
        for (let r = 0; r < n; r++) {
          const [vrp, vrq] = [v[r][p], v[r][q]];
          v[r][p] = c * vrp - s * vrq;
          v[r][q] = s * vrp + c * vrq;
        }
      }
  }
  return { values: a.map((row, i) => row[i]), vectors: v };
}

describe('Eigen-CAM', () => {
  it('projects A ((H*W) x K) on the top eigenvector of A^T A (Jacobi rotations in plain loops), the same map for every target', async () => {
    const model = tinyCamModel({ seed: 7 });
    const xs = randomImages(3, 8, 17);
    const result = await computeMaps(model, xs, { method: 'eigencam', target: 'all' });
    const { features, k } = await featuresAndWeights(model, xs);
    const hw = 64;
    for (let i = 0; i < 3; i++) {
      const gram = Array.from({ length: k }, (_, a) =>
        Array.from({ length: k }, (__, b) => {
          let sum = 0;
          for (let p = 0; p < hw; p++) sum += features[(i * hw + p) * k + a] * features[(i * hw + p) * k + b];
          return sum;
        }),
      );
      const { values, vectors } = jacobiEigen(gram);
      const top = values.indexOf(Math.max(...values));
      let v = vectors.map((row) => row[top]);
      if (v.reduce((s, x) => s + x, 0) < 0) v = v.map((x) => -x);
      const expected = loopWeightedSum(
        features.subarray(i * hw * k, (i + 1) * hw * k),
        hw,
        k,
        1,
        (_, ch) => v[ch],
        true,
      );
      for (let c = 0; c < 4; c++) {
        const row = i * 4 + c;
        expectClose(result.maps.subarray(row * hw, (row + 1) * hw), expected, 1e-4);
      }
    }
  });
});

/**
 * dy_c/dA at the features of `layer` by central differences, one location and channel at a time, through the
 * model's layers above it: [N, H, W, K] flat. The tiny model is piecewise linear, so this is exact up to
 * rounding wherever no ReLU switches within +-eps.
 */
async function numericGradients(
  model: tf.LayersModel,
  xs: tf.Tensor4D,
  layer: string,
  target: number,
): Promise<{ features: Float32Array; grads: Float32Array; shape: number[] }> {
  const head = cachedCamHead(model, layer);
  const [f] = head.features.predict(xs) as tf.Tensor[];
  const shape = f.shape;
  const features = (await f.data()) as Float32Array;
  f.dispose();
  const [n, h, w, k] = shape;
  const eps = 1e-2;
  const grads = new Float32Array(features.length);
  const scoreOf = (values: Float32Array) =>
    tf.tidy(() => head.logitsFromFeatures(tf.tensor4d(values, [n, h, w, k])).dataSync());
  for (let j = 0; j < h * w * k; j++) {
    const plus = Float32Array.from(features);
    const minus = Float32Array.from(features);
    for (let i = 0; i < n; i++) {
      plus[i * h * w * k + j] += eps;
      minus[i * h * w * k + j] -= eps;
    }
    const up = scoreOf(plus);
    const down = scoreOf(minus);
    const classes = up.length / n;
    for (let i = 0; i < n; i++)
      grads[i * h * w * k + j] = (up[i * classes + target] - down[i * classes + target]) / (2 * eps);
  }
  return { features, grads, shape };
}

describe('an earlier conv as the target layer', () => {
  const model = tinyCamModel({ seed: 8 });
  const xs = randomImages(2, 8, 19);
  const target = 1;

  it('Grad-CAM, XGrad-CAM, LayerCAM and HiResCAM on conv_1 match loops over numerical gradients', async () => {
    const { features, grads, shape } = await numericGradients(model, xs, 'conv_1', target);
    const [n, h, w, k] = shape;
    const hw = h * w;
    const at = (i: number, ch: number, p: number) => (i * hw + p) * k + ch;
    const channelSum = (values: (j: number) => number, i: number, ch: number) => {
      let sum = 0;
      for (let p = 0; p < hw; p++) sum += values(at(i, ch, p));
      return sum;
    };
    const expected = {
      gradcam: loopWeightedSum(features, hw, k, n, (i, ch) => channelSum((j) => grads[j], i, ch) / hw, true),
      xgradcam: loopWeightedSum(
        features,
        hw,
        k,
        n,
        (i, ch) => {
          const sumA = channelSum((j) => features[j], i, ch);
          return sumA === 0 ? 0 : channelSum((j) => features[j] * grads[j], i, ch) / sumA;
        },
        true,
      ),
      layercam: loopWeightedSum(features, hw, k, n, (i, ch, p) => Math.max(grads[at(i, ch, p)], 0), true),
      hirescam: loopWeightedSum(features, hw, k, n, (i, ch, p) => grads[at(i, ch, p)], false),
    };
    for (const [method, reference] of Object.entries(expected)) {
      const result = await computeMaps(model, xs, { method: method as 'gradcam', target, layer: 'conv_1' });
      expect([result.h, result.w]).toEqual([h, w]);
      expectClose(result.maps, reference, 2e-3);
      expect(reference.some((v) => v !== 0)).toBe(true);
    }
  });

  it('Ablation-CAM on conv_1 zeroes each channel and runs the layers above it (loops over channels)', async () => {
    const head = cachedCamHead(model, 'conv_1');
    const [f, logits] = head.features.predict(xs) as tf.Tensor[];
    const features = (await f.data()) as Float32Array;
    const scores = (await logits.data()) as Float32Array;
    const [n, h, w, k] = f.shape;
    tf.dispose([f, logits]);
    const drops = Array.from({ length: k }, (_, ch) => {
      const ablated = features.map((v, j) => (j % k === ch ? 0 : v));
      const after = tf.tidy(() => head.logitsFromFeatures(tf.tensor4d(ablated, [n, h, w, k])).dataSync());
      return Array.from(
        { length: n },
        (__, i) => (scores[i * 4 + target] - after[i * 4 + target]) / scores[i * 4 + target],
      );
    });
    const result = await computeMaps(model, xs, { method: 'ablationcam', target, layer: 'conv_1' });
    expectClose(
      result.maps,
      loopWeightedSum(features, h * w, k, n, (i, ch) => drops[ch][i], true),
      1e-5,
    );
  });

  it('CAM refuses any conv but the last; an unknown layer is named with the conv layers', async () => {
    await expect(computeMaps(model, xs, { method: 'cam', layer: 'conv_1' })).rejects.toThrow(
      /method 'cam' is defined on the last conv layer only \('conv_2'\), got 'conv_1'/,
    );
    expect((await computeMaps(model, xs, { method: 'cam', layer: 'conv_2' })).maps.length).toBe(2 * 64);
    await expect(computeMaps(model, xs, { method: 'gradcam', layer: 'gap' })).rejects.toThrow(
      /layer 'gap' is not a conv layer of this model \(one of conv_1, conv_2\)/,
    );
  });
});

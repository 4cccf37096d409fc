import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmKernels, type WasmKernelSet } from '../src/kernels/index.js';

/** Fresh random values each run; the seed is printed in a failure so that it can be replayed. */
const RUN_SEED = Number(process.env.KERNEL_TEST_SEED ?? Date.now() % 1_000_000);

export function randomArray(size: number, seed: number): Float32Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** max |a - b| over max |b|: the error relative to the reference's scale. */
export function relativeError(actual: Float32Array, reference: Float32Array): number {
  expect(actual.length).toBe(reference.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - reference[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return diff / Math.max(scale, 1e-30);
}

interface Operand {
  shape: number[];
  values: Float32Array;
}

/** Runs `compute` on `backendName` over tensors built from plain arrays and returns plain arrays. */
async function onBackend(
  backendName: string,
  operands: Operand[],
  compute: (...tensors: tf.Tensor[]) => tf.Tensor[],
): Promise<Operand[]> {
  await tf.setBackend(backendName);
  return tf.tidy(() => {
    const tensors = operands.map((o) => tf.tensor(o.values, o.shape));
    return compute(...tensors).map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  });
}

async function expectBackendsAgree(
  operands: Operand[],
  compute: (...tensors: tf.Tensor[]) => tf.Tensor[],
): Promise<void> {
  const reference = await onBackend('cpu', operands, compute);
  const actual = await onBackend('wasm', operands, compute);
  reference.forEach((ref, k) => {
    expect(actual[k]!.shape, `output ${k} shape`).toEqual(ref.shape);
    const error = relativeError(actual[k]!.values, ref.values);
    expect(error, `output ${k}, seed ${RUN_SEED}`).toBeLessThan(1e-4);
  });
}

function operand(shape: number[], seed: number): Operand {
  return {
    shape,
    values: randomArray(
      shape.reduce((a, b) => a * b, 1),
      RUN_SEED + seed,
    ),
  };
}

type Pad = 'same' | 'valid';

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  pad: Pad;
  stride?: number;
}

const CASES: ConvCase[] = [
  { name: 'C_in 1 (first layer)', x: [4, 28, 28, 1], filter: [3, 3, 1, 16], pad: 'same' },
  { name: 'batch 1', x: [1, 9, 9, 16], filter: [3, 3, 16, 16], pad: 'same' },
  { name: 'non-square 7x11, valid', x: [3, 7, 11, 5], filter: [3, 3, 5, 8], pad: 'valid' },
  {
    name: 'non-square 2x3 filter, same (uneven padding)',
    x: [2, 7, 11, 4],
    filter: [2, 3, 4, 6],
    pad: 'same',
  },
  {
    name: 'non-square 2x3 filter, same, 4->8 (emitted kernels with a partial pixel tile)',
    x: [3, 7, 11, 4],
    filter: [2, 3, 4, 8],
    pad: 'same',
  },
  // Small images: the cpu backend's reference Conv2DBackpropFilter took 17 s for 2 x 14 x 14 here.
  { name: '16->256', x: [2, 4, 6, 16], filter: [3, 3, 16, 256], pad: 'same' },
  { name: 'stride 2, same', x: [2, 9, 8, 3], filter: [3, 3, 3, 5], pad: 'same', stride: 2 },
];

function convOutShape(c: ConvCase): number[] {
  const s = c.stride ?? 1;
  const [b, h, w] = c.x;
  const [kh, kw, , outC] = c.filter;
  const size = (n: number, k: number) => (c.pad === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);
  return [b, size(h, kh), size(w, kw), outC];
}

/**
 * Every kernel of `set` (registered in this test file's process) against the cpu backend on fresh random
 * inputs; kernels-emitted.test.ts and kernels-onednn.test.ts run it once per kernel set.
 */
export function describeKernelAgreement(set: WasmKernelSet): void {
  describe(`wasm training kernels (${set}) agree with the cpu backend`, () => {
    beforeAll(async () => {
      expect(registerWasmKernels(set).set).toBe(set);
      expect(registerWasmKernels('auto').set, 'idempotent: the first choice stays').toBe(set);
      await tf.setBackend('wasm');
    });

    for (const c of CASES) {
      const attrs = { strides: c.stride ?? 1, pad: c.pad, dataFormat: 'NHWC' };
      it(`Conv2DBackpropFilter: ${c.name}`, async () => {
        await expectBackendsAgree([operand(c.x, 1), operand(convOutShape(c), 2)], (x, dy) => [
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x: x!, dy: dy! },
              { ...attrs, filterShape: c.filter },
            ) as tf.Tensor,
        ]);
      });
      it(`Conv2D: ${c.name}`, async () => {
        await expectBackendsAgree([operand(c.x, 5), operand(c.filter, 6)], (x, filter) => [
          tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, c.stride ?? 1, c.pad),
        ]);
      });
      it(`FusedConv2D with bias and ReLU: ${c.name}`, async () => {
        const bias = operand([c.filter[3]], 7);
        await expectBackendsAgree([operand(c.x, 5), operand(c.filter, 6), bias], (x, filter, b) => [
          tf.fused.conv2d({
            x: x as tf.Tensor4D,
            filter: filter as tf.Tensor4D,
            strides: c.stride ?? 1,
            pad: c.pad,
            bias: b!,
            activation: 'relu',
          }),
        ]);
      });
      it(`Conv2DBackpropInput: ${c.name}`, async () => {
        await expectBackendsAgree([operand(convOutShape(c), 3), operand(c.filter, 4)], (dy, filter) => [
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropInput',
              { dy: dy!, filter: filter! },
              { ...attrs, inputShape: c.x },
            ) as tf.Tensor,
        ]);
      });
    }

    const REDUCTIONS: { name: string; shape: number[]; run: (x: tf.Tensor) => tf.Tensor }[] = [
      { name: 'Sum over N, H, W (bias gradient)', shape: [6, 7, 11, 40], run: (x) => tf.sum(x, [0, 1, 2]) },
      { name: 'Sum over N, H, W, keepDims', shape: [2, 5, 3, 8], run: (x) => tf.sum(x, [0, 1, -2], true) },
      { name: 'Sum over H, W (stock path)', shape: [3, 4, 5, 6], run: (x) => tf.sum(x, [1, 2]) },
      {
        name: 'Mean over H, W (global average pooling)',
        shape: [5, 28, 28, 256],
        run: (x) => tf.mean(x, [1, 2]),
      },
      { name: 'Mean over H, W, keepDims', shape: [1, 7, 11, 3], run: (x) => tf.mean(x, [2, 1], true) },
      { name: 'Mean over C (stock path)', shape: [2, 3, 4, 5], run: (x) => tf.mean(x, 3) },
    ];
    for (const r of REDUCTIONS) {
      it(`${r.name}`, async () => {
        await expectBackendsAgree([operand(r.shape, 20)], (x) => [r.run(x!)]);
      });
    }

    const PRODUCTS: { name: string; a: number[]; b: number[]; transposeB: boolean }[] = [
      { name: 'features x one column per image (CAM)', a: [6, 49, 32], b: [6, 1, 32], transposeB: true },
      { name: 'three columns, two batch axes', a: [2, 3, 10, 8], b: [2, 3, 3, 8], transposeB: true },
      { name: 'depth 6, not a multiple of 4 (stock path)', a: [3, 5, 6], b: [3, 2, 6], transposeB: true },
      { name: 'b not transposed (stock path)', a: [3, 5, 8], b: [3, 8, 2], transposeB: false },
    ];
    for (const p of PRODUCTS) {
      it(`BatchMatMul: ${p.name}`, async () => {
        await expectBackendsAgree([operand(p.a, 30), operand(p.b, 31)], (a, b) => [
          tf.matMul(a!, b!, false, p.transposeB),
        ]);
      });
    }

    it('full gradients of a small conv stack (conv-ReLU x3, GAP, dense, softmax cross-entropy) via tf.grads', async () => {
      const shapes = [[3, 3, 1, 8], [8], [3, 3, 8, 8], [8], [3, 3, 8, 32], [32], [32, 10]];
      const operands = [operand([5, 12, 10, 1], 10), ...shapes.map((s, k) => operand(s, 11 + k))];
      const labels = tf.util.createShuffledIndices(5);
      const loss = (x: tf.Tensor, ...params: tf.Tensor[]): tf.Scalar => {
        let h = x as tf.Tensor4D;
        for (let layer = 0; layer < 3; layer++) {
          const conv = tf.conv2d(h, params[2 * layer] as tf.Tensor4D, 1, 'same');
          h = tf.relu(tf.add(conv, params[2 * layer + 1]!));
        }
        const logits = tf.matMul(tf.mean(h, [1, 2]), params[6] as tf.Tensor2D);
        const oneHot = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10);
        return tf.losses.softmaxCrossEntropy(oneHot, logits);
      };
      await expectBackendsAgree(operands, (...tensors) => tf.grads(loss)(tensors));
    });

    for (const shape of [[2, 6, 6, 8], [3, 5, 7, 3], [3]]) {
      it(`ReLU's gradient from its output, [${shape}] (${shape.reduce((a, b) => a * b) % 4} past the last four)`, async () => {
        const x = operand(shape, 20);
        // Exact zeros, where the gradient is 0 on both sides.
        for (let i = 0; i < x.values.length; i += 5) x.values[i] = 0;
        const weights = operand(shape, 21);
        await expectBackendsAgree([x, weights], (xs, w) => [
          tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.relu(input), w!)))(xs!),
        ]);
        const stock = tf.tidy(() => {
          const t = tf.tensor(x.values, shape);
          return Array.from(tf.mul(tf.tensor(weights.values, shape), tf.step(t)).dataSync());
        });
        await tf.setBackend('wasm');
        const ours = tf.tidy(() =>
          Array.from(
            tf
              .grad((input: tf.Tensor) => tf.sum(tf.mul(tf.relu(input), tf.tensor(weights.values, shape))))(
                tf.tensor(x.values, shape),
              )
              .dataSync(),
          ),
        );
        // The same values as tfjs's own dy * step(x), signs of zeros aside.
        expect(ours.map((v) => v + 0)).toEqual(stock.map((v) => v + 0));
      });
    }

    for (const keepDims of [false, true]) {
      it(`the gradient of a spatial mean (global average pooling), keepDims ${keepDims}`, async () => {
        const shape = [3, 5, 7, 6];
        const x = operand(shape, 22);
        const weights = operand(keepDims ? [3, 1, 1, 6] : [3, 6], 23);
        const gradient = (xs: tf.Tensor, w: tf.Tensor) =>
          tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.mean(input, [1, 2], keepDims), w)))(xs);
        await expectBackendsAgree([x, weights], (xs, w) => [gradient(xs!, w!)]);
        // Axes other than the spatial ones take tfjs's own gradient, on wasm too.
        await expectBackendsAgree([x, operand([5, 7, 6], 24)], (xs, w) => [
          tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.mean(input, 0), w!)))(xs!),
        ]);
      });
    }

    it('Identity and same-dtype Cast share data without copying, and outlive their source', async () => {
      await tf.setBackend('wasm');
      const x = tf.tensor([1.5, -2, 3.25]);
      const copies = [
        tf.clone(x),
        tf.cast(x, 'float32'),
        tf.engine().runKernel('Cast', { x }, { dtype: 'float32' }) as tf.Tensor,
      ];
      const converted = tf.cast(x, 'int32');
      x.dispose();
      for (const t of copies) expect(Array.from(t.dataSync())).toEqual([1.5, -2, 3.25]);
      expect(converted.dtype).toBe('int32');
      expect(Array.from(converted.dataSync())).toEqual([1, -2, 3]);
      tf.dispose([...copies, converted]);
    });

    it('refuses NCHW with a clear error instead of computing garbage', async () => {
      await tf.setBackend('wasm');
      const x = tf.zeros([1, 2, 5, 5]);
      const dy = tf.zeros([1, 4, 5, 5]);
      expect(() =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x, dy },
            { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 4] },
          ),
      ).toThrow(/dataFormat 'NCHW' is not supported/);
      tf.dispose([x, dy]);
    });
  });
}

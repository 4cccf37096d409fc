import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, heapFloat32, type KernelArgs, runWasmKernel, withShape } from './wasm-backend.js';

/** Reduction axes as sorted non-negative indices. */
export function normalisedAxes(axis: unknown, rank: number): number[] {
  const list = Array.isArray(axis) ? (axis as number[]) : [axis as number];
  return list.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

/** Per-image spatial means [B, C] of an NHWC tensor, by XNNPACK's average pooling with one H x W window. */
function spatialMeans(x: tf.TensorInfo, backend: ReturnType<typeof asWasmBackend>): tf.TensorInfo {
  const [, height, width] = x.shape;
  return runWasmKernel('AvgPool', { x }, backend, {
    filterSize: [height!, width!],
    strides: [height!, width!],
    pad: 'valid',
  });
}

function isFloat4D(x: tf.TensorInfo): boolean {
  return x.dtype === 'float32' && x.shape.length === 4;
}

/**
 * Mean over the spatial axes of an NHWC tensor (global average pooling) through AvgPool; the stock
 * kernel transposes the whole tensor first. Other reductions go to `stock`.
 */
export function makeMean(stock: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs ?? {};
    if (!isFloat4D(x) || normalisedAxes(axis, 4).join() !== '1,2') return stock(args);
    const pooled = spatialMeans(x, asWasmBackend(args.backend));
    return keepDims ? pooled : withShape(pooled, [x.shape[0]!, x.shape[3]!]);
  };
}

/**
 * Sum over all but the channel axis of an NHWC tensor (the bias gradient of a convolution): per-image
 * spatial means by AvgPool, then a small sum over the batch. The stock kernel transposes the whole
 * tensor first (~0.3 s for c3's last layer). Other reductions go to `stock`.
 */
export function makeSum(stock: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const { axis, keepDims } = args.attrs ?? {};
    if (!isFloat4D(x) || normalisedAxes(axis, 4).join() !== '0,1,2') return stock(args);
    const backend = asWasmBackend(args.backend);
    const [batch, height, width, channels] = x.shape as [number, number, number, number];
    const pooled = spatialMeans(x, backend);
    const means = heapFloat32(backend, pooled);
    const sums = new Float32Array(channels);
    for (let b = 0; b < batch; b++) {
      for (let c = 0; c < channels; c++) sums[c]! += means[b * channels + c]!;
    }
    backend.disposeData(pooled.dataId);
    for (let c = 0; c < channels; c++) sums[c]! *= height * width;
    return backend.makeOutput(keepDims ? [1, 1, 1, channels] : [channels], 'float32', undefined, sums);
  };
}

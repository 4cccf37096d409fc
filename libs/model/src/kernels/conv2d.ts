import * as tf from '@tensorflow/tfjs';
import { convGemmKernels, convGemmSupports, type PaddedConvShape } from './conv-gemm-emit.js';
import { convCall, heapAddress, type KernelArgs, padSpatially, wasmMemory } from './wasm-backend.js';

/** The emitted kernels' shape for a convolution, when they can run it (stride and dilation 1). */
export function paddedConvShape(info: tf.backend_util.Conv2DInfo): PaddedConvShape | undefined {
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  if (strideHeight !== 1 || strideWidth !== 1 || dilationHeight !== 1 || dilationWidth !== 1)
    return undefined;
  return {
    paddedHeight: info.inHeight + padInfo.top + padInfo.bottom,
    paddedWidth: info.inWidth + padInfo.left + padInfo.right,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
  };
}

/**
 * Conv2D and FusedConv2D (bias, ReLU) on the project's emitted wasm GEMM kernel, about 1.5-2x
 * XNNPACK's convolution in tfjs-backend-wasm's single-threaded SIMD build on c3's shapes (tools/bench
 * notes). Strided, dilated or otherwise unsupported convolutions go to `stock`.
 */
export function makeConv2D(kernelName: 'Conv2D' | 'FusedConv2D', stock: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { backend, x, filter, bias, relu, info, plain } = convCall(kernelName, args);
    const shape = paddedConvShape(info);
    if (!plain || shape === undefined || !convGemmSupports(shape, 'conv')) return stock(args);
    const padded = padSpatially(backend, x, info.padInfo);
    const packedFilter = backend.makeOutput([tf.util.sizeFromShape(filter.shape)], 'float32');
    const out = backend.makeOutput(info.outShape, 'float32');
    convGemmKernels(wasmMemory(backend), shape).conv(
      heapAddress(backend, padded),
      heapAddress(backend, filter),
      bias === undefined ? 0 : heapAddress(backend, bias),
      heapAddress(backend, out),
      info.batchSize,
      relu ? 1 : 0,
      heapAddress(backend, packedFilter),
    );
    backend.disposeData(padded.dataId);
    backend.disposeData(packedFilter.dataId);
    return out;
  };
}

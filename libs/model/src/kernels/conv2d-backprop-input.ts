import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, convGeometry, heapFloat32, type KernelArgs, runWasmKernel } from './wasm-backend.js';

const NAME = 'Conv2DBackpropInput';

/**
 * The input gradient of a stride-1 convolution as a forward convolution: dx = conv(dy, W'), where
 * W'[i, j, o, c] = W[kh-1-i, kw-1-j, c, o] (filter flipped in space, in/out channels swapped) and dy
 * padded by (k-1-pad) on each side. That convolution goes to whatever Conv2D kernel is registered for
 * wasm: after registerWasmKernels, the project's emitted GEMM kernel (conv2d.ts), which hands the shapes
 * it does not support to the stock XNNPACK one; either is far faster than the stock input-gradient
 * kernel's direct loops. Strided convolutions are left to `fallback` (that stock kernel).
 */
export function makeConv2DBackpropInput(fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { inputs, attrs = {} } = args;
    const backend = asWasmBackend(args.backend);
    const dy = inputs.dy as tf.TensorInfo;
    const filter = inputs.filter as tf.TensorInfo;
    const inputShape = attrs.inputShape as number[];
    const info = convGeometry(NAME, inputShape, filter.shape, attrs);
    if (info.strideHeight !== 1 || info.strideWidth !== 1) {
      if (fallback === undefined) {
        throw new Error(
          `${NAME} (wasm, @cam/model kernels): only stride 1 is supported, got [${info.strideHeight}, ${info.strideWidth}]`,
        );
      }
      return fallback(args);
    }
    if (dy.shape.join() !== info.outShape.join()) {
      throw new Error(
        `${NAME} (wasm, @cam/model kernels): dy has shape [${dy.shape}], expected [${info.outShape}]`,
      );
    }
    const { filterHeight: kh, filterWidth: kw, inChannels: inC, outChannels: outC, padInfo } = info;
    const flipped = backend.makeOutput([kh, kw, outC, inC], 'float32');
    const src = heapFloat32(backend, filter);
    const dst = heapFloat32(backend, flipped);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const srcTap = ((kh - 1 - i) * kw + (kw - 1 - j)) * inC * outC;
        const dstTap = (i * kw + j) * outC * inC;
        for (let c = 0; c < inC; c++) {
          for (let o = 0; o < outC; o++) dst[dstTap + o * inC + c] = src[srcTap + c * outC + o];
        }
      }
    }
    const pad = [
      [0, 0],
      [kh - 1 - padInfo.top, kh - 1 - padInfo.bottom],
      [kw - 1 - padInfo.left, kw - 1 - padInfo.right],
      [0, 0],
    ];
    try {
      return runWasmKernel('Conv2D', { x: dy, filter: flipped }, backend, {
        strides: [1, 1],
        pad,
        dilations: [1, 1],
        dataFormat: 'NHWC',
      });
    } finally {
      backend.disposeData(flipped.dataId);
    }
  };
}

import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, convGeometry, heapFloat32, type KernelArgs, runWasmKernel, withShape } from './wasm-backend.js';

const NAME = 'Conv2DBackpropFilter';

/**
 * The filter gradient dW[i, j, c, o] = sum over (b, y, x) of xPadded[b, y*s+i, x*s+j, c] * dy[b, y, x, o],
 * as one GEMM: colsT [kh*kw*C_in, B*H*W] (the transposed im2col matrix, written by JS straight into
 * the wasm heap) times dy [B*H*W, C_out], on the wasm BatchMatMul kernel (XNNPACK when neither
 * operand is transposed). The stock wasm backend has no such kernel.
 */
export const conv2DBackpropFilter: tf.KernelFunc = (args: KernelArgs) => {
  const { inputs, attrs = {} } = args;
  const backend = asWasmBackend(args.backend);
  const x = inputs.x as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  const filterShape = attrs.filterShape as number[];
  const info = convGeometry(NAME, x.shape, filterShape, attrs);
  if (dy.shape.join() !== info.outShape.join()) {
    throw new Error(`${NAME} (wasm, @cam/model kernels): dy has shape [${dy.shape}], expected [${info.outShape}]`);
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight, strideWidth, padInfo } = info;
  const positions = batchSize * outHeight * outWidth;
  const taps = kh * kw * inChannels;
  const colsT = backend.makeOutput([1, taps, positions], 'float32');
  const cols = heapFloat32(backend, colsT);
  const xs = heapFloat32(backend, x);
  // Row (i, j, c) of colsT holds input channel c at tap (i, j) for every output position, 0 in the padding.
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let c = 0; c < inChannels; c++) {
        let out = ((i * kw + j) * inChannels + c) * positions;
        for (let b = 0; b < batchSize; b++) {
          for (let oy = 0; oy < outHeight; oy++) {
            const iy = oy * strideHeight - padInfo.top + i;
            if (iy < 0 || iy >= inHeight) {
              cols.fill(0, out, out + outWidth);
              out += outWidth;
              continue;
            }
            const rowBase = (b * inHeight + iy) * inWidth;
            for (let ox = 0; ox < outWidth; ox++) {
              const ix = ox * strideWidth - padInfo.left + j;
              cols[out++] = ix >= 0 && ix < inWidth ? xs[(rowBase + ix) * inChannels + c] : 0;
            }
          }
        }
      }
    }
  }
  try {
    const dW = runWasmKernel('BatchMatMul', { a: colsT, b: withShape(dy, [1, positions, outChannels]) }, backend, {
      transposeA: false,
      transposeB: false,
    });
    return withShape(dW, filterShape);
  } finally {
    backend.disposeData(colsT.dataId);
  }
};

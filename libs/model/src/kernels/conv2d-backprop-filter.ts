import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, convGeometry, heapFloat32, type KernelArgs, runWasmKernel } from './wasm-backend.js';

const NAME = 'Conv2DBackpropFilter';

/**
 * Output positions per GEMM. XNNPACK's GEMM packs the whole right operand and streams the reduction
 * dimension: with all B*H*W positions at once (100,352 for c3) it falls to ~12 GFLOP/s, with chunks of
 * a few thousand it runs at ~21 (measured, see tools/bench notes).
 */
const POSITIONS_PER_CHUNK = 3136;

/**
 * The filter gradient dW[i, j, c, o] = sum over (b, y, x) of xPadded[b, y*s+i, x*s+j, c] * dy[b, y, x, o],
 * as GEMMs over chunks of whole images: colsT [kh*kw*C_in, positions] (the transposed im2col matrix,
 * written by JS straight into the wasm heap) times dy [positions, C_out] on the wasm BatchMatMul kernel
 * (XNNPACK when neither operand is transposed), summed over the chunks. The stock wasm backend has no
 * such kernel.
 */
export const conv2DBackpropFilter: tf.KernelFunc = (args: KernelArgs) => {
  const { inputs, attrs = {} } = args;
  const backend = asWasmBackend(args.backend);
  const x = inputs.x as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  const filterShape = attrs.filterShape as number[];
  const info = convGeometry(NAME, x.shape, filterShape, attrs);
  if (dy.shape.join() !== info.outShape.join()) {
    throw new Error(
      `${NAME} (wasm, @cam/model kernels): dy has shape [${dy.shape}], expected [${info.outShape}]`,
    );
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight, strideWidth, padInfo } = info;
  const imagePositions = outHeight * outWidth;
  const taps = kh * kw * inChannels;
  const imagesPerChunk = Math.max(1, Math.floor(POSITIONS_PER_CHUNK / imagePositions));
  const sum = new Float32Array(taps * outChannels);
  for (let firstImage = 0; firstImage < batchSize; firstImage += imagesPerChunk) {
    const images = Math.min(imagesPerChunk, batchSize - firstImage);
    const positions = images * imagePositions;
    const colsT = backend.makeOutput([1, taps, positions], 'float32');
    // A fresh tensor per chunk: XNNPACK caches its packed right operand under the tensor's id.
    const dyChunk = backend.makeOutput([1, positions, outChannels], 'float32');
    const cols = heapFloat32(backend, colsT);
    const xs = heapFloat32(backend, x);
    // Row (i, j, c) of colsT holds input channel c at tap (i, j) for every output position, 0 in the padding.
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let c = 0; c < inChannels; c++) {
          let out = ((i * kw + j) * inChannels + c) * positions;
          for (let b = firstImage; b < firstImage + images; b++) {
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
                cols[out++] = ix >= 0 && ix < inWidth ? xs[(rowBase + ix) * inChannels + c]! : 0;
              }
            }
          }
        }
      }
    }
    const dyStart = firstImage * imagePositions * outChannels;
    heapFloat32(backend, dyChunk).set(
      heapFloat32(backend, dy).subarray(dyStart, dyStart + positions * outChannels),
    );
    const part = runWasmKernel('BatchMatMul', { a: colsT, b: dyChunk }, backend, {
      transposeA: false,
      transposeB: false,
    });
    const partial = heapFloat32(backend, part);
    for (let k = 0; k < sum.length; k++) sum[k]! += partial[k]!;
    for (const t of [colsT, dyChunk, part]) backend.disposeData(t.dataId);
  }
  return backend.makeOutput(filterShape, 'float32', undefined, sum);
};

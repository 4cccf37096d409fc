import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGemmKernels, convGemmSupports, filterGradScratchFloats } from './conv-gemm-emit.js';
import { paddedConvShape } from './conv2d.js';
import {
  asWasmBackend,
  convGeometry,
  heapAddress,
  heapAt,
  heapFloat32,
  type KernelArgs,
  padSpatially,
  runWasmKernel,
  wasmMemory,
} from './wasm-backend.js';

const NAME = 'Conv2DBackpropFilter';

/**
 * Output positions per GEMM. XNNPACK's GEMM packs the whole right operand and streams the reduction
 * dimension: with all B*H*W positions at once (100,352 for c3) it falls to ~12 GFLOP/s, with chunks of
 * a few thousand it runs at ~21 (measured, see tools/bench notes).
 */
const POSITIONS_PER_CHUNK = 3136;

/**
 * Writes the transposed im2col matrix of images [firstImage, firstImage + images) at heap[colsAt..]: row
 * (i, j, c), column (b, oy, ox) holds x[b, oy*s - top + i, ox*s - left + j, c], 0 in the padding. It reads
 * the planar copy xT [C, B, H, W] at heap[xTAt..], where each row segment is one run of the input: with
 * stride 1 a single copyWithin inside the heap (per-element JS reads cost ~4-5 ns each, 60-80 ms a layer).
 */
function writeColsT(
  heap: Float32Array,
  colsAt: number,
  xTAt: number,
  info: tf.backend_util.Conv2DInfo,
  firstImage: number,
  images: number,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight, strideWidth, padInfo } = info;
  const positions = images * outHeight * outWidth;
  heap.fill(0, colsAt, colsAt + kh * kw * inChannels * positions);
  // Stride 1 with as many output as input columns: a channel's valid rows are one run of the plane.
  const rowsContiguous = strideHeight === 1 && strideWidth === 1 && inWidth === outWidth;
  for (let j = 0; j < kw; j++) {
    // Output columns whose input column ix = ox*s - left + j lies inside the image.
    const oxFrom = Math.max(0, Math.ceil((padInfo.left - j) / strideWidth));
    const oxTo = Math.min(outWidth, Math.floor((inWidth - 1 + padInfo.left - j) / strideWidth) + 1);
    if (oxTo <= oxFrom) continue;
    const run = oxTo - oxFrom;
    const ixFrom = oxFrom * strideWidth - padInfo.left + j;
    for (let i = 0; i < kh; i++) {
      for (let c = 0; c < inChannels; c++) {
        let out = colsAt + ((i * kw + j) * inChannels + c) * positions + oxFrom;
        for (let b = firstImage; b < firstImage + images; b++) {
          const plane = xTAt + (c * batchSize + b) * inHeight * inWidth + ixFrom;
          if (rowsContiguous) {
            // All valid rows in one copy; it also carries the neighbouring pixels into the row gaps
            // (columns outside [oxFrom, oxTo)), which are set back to 0 after.
            const oyFrom = Math.max(0, padInfo.top - i);
            const oyTo = Math.min(outHeight, inHeight + padInfo.top - i);
            if (oyTo > oyFrom) {
              const src = plane + (oyFrom - padInfo.top + i) * inWidth;
              heap.copyWithin(out + oyFrom * outWidth, src, src + (oyTo - oyFrom - 1) * outWidth + run);
              for (let oy = oyFrom; oy < oyTo - 1; oy++) {
                const gap = out + oy * outWidth + run;
                heap.fill(0, gap, gap + outWidth - run);
              }
            }
            out += outHeight * outWidth;
            continue;
          }
          for (let oy = 0; oy < outHeight; oy++, out += outWidth) {
            const iy = oy * strideHeight - padInfo.top + i;
            if (iy < 0 || iy >= inHeight) continue;
            const src = plane + iy * inWidth;
            if (strideWidth === 1) heap.copyWithin(out, src, src + run);
            else for (let k = 0; k < run; k++) heap[out + k] = heap[src + k * strideWidth]!;
          }
        }
      }
    }
  }
}

/**
 * dW on the emitted kernel, straight from x (padded) and dy: no im2col matrix, about 1.5x the GEMM path
 * below on c3's 16->256 layer. Undefined when the shape does not suit it (stride > 1, input channels
 * not a multiple of 4 as in a first layer, output channels not a multiple of 8).
 */
function emittedFilterGradient(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  filterShape: number[],
): tf.TensorInfo | undefined {
  const shape = paddedConvShape(info);
  if (shape === undefined || !convGemmSupports(shape, 'filterGrad') || x.dtype !== 'float32')
    return undefined;
  const padded = padSpatially(backend, x, info.padInfo);
  const scratch = backend.makeOutput([filterGradScratchFloats(shape)], 'float32');
  const dw = backend.makeOutput(filterShape, 'float32');
  heapFloat32(backend, dw).fill(0);
  convGemmKernels(wasmMemory(backend), shape).filterGrad(
    heapAddress(backend, padded),
    heapAddress(backend, dy),
    heapAddress(backend, dw),
    info.batchSize,
    heapAddress(backend, scratch),
  );
  backend.disposeData(padded.dataId);
  backend.disposeData(scratch.dataId);
  return dw;
}

/**
 * The filter gradient dW[i, j, c, o] = sum over (b, y, x) of xPadded[b, y*s+i, x*s+j, c] * dy[b, y, x, o],
 * on the emitted kernel where it applies, else as GEMMs over chunks of whole images: colsT [kh*kw*C_in, positions] (the transposed im2col matrix,
 * written by JS straight into the wasm heap from a planar copy of x) times dy [positions, C_out] on the
 * wasm BatchMatMul kernel (XNNPACK when neither operand is transposed), summed over the chunks. The stock
 * wasm backend has no such kernel.
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
  const emitted = emittedFilterGradient(backend, x, dy, info, filterShape);
  if (emitted !== undefined) return emitted;
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const imagePositions = outHeight * outWidth;
  const taps = filterHeight * filterWidth * inChannels;
  const imagesPerChunk = Math.max(1, Math.floor(POSITIONS_PER_CHUNK / imagePositions));
  const xT = runWasmKernel('Transpose', { x }, backend, { perm: [3, 0, 1, 2] });
  const sum = new Float32Array(taps * outChannels);
  for (let firstImage = 0; firstImage < batchSize; firstImage += imagesPerChunk) {
    const images = Math.min(imagesPerChunk, batchSize - firstImage);
    const positions = images * imagePositions;
    const colsT = backend.makeOutput([1, taps, positions], 'float32');
    // A fresh tensor per chunk: XNNPACK caches its packed right operand under the tensor's id.
    const dyChunk = backend.makeOutput([1, positions, outChannels], 'float32');
    const cols = heapAt(backend, colsT);
    writeColsT(cols.heap, cols.at, heapAt(backend, xT).at, info, firstImage, images);
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
  backend.disposeData(xT.dataId);
  return backend.makeOutput(filterShape, 'float32', undefined, sum);
};

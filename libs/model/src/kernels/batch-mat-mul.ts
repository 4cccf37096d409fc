import * as tf from '@tensorflow/tfjs';
import { rowDotsKernel } from './row-dots-emit.js';
import { asWasmBackend, heapAddress, type KernelArgs, wasmMemory } from './wasm-backend.js';

/** Beyond this many columns a GEMM's register tiles pay off and the stock kernel is left to it. */
const MAX_COLUMNS = 16;

/**
 * BatchMatMul for a batch of matrices each times its own few columns, given transposed (b [..., T, K],
 * transposeB): CAM's weighted sums of features, [N, H*W, K] x [N, K, 1]. The stock kernel takes
 * ~100 ms for c3's batch of 128 (a naive loop, as each batch has its own right-hand side); the emitted
 * dot products take a few. Other products go to `stock`.
 */
export function makeBatchMatMul(stock: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { inputs, attrs = {} } = args;
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    const batchShape = a.shape.slice(0, -2);
    const [rows, depth] = a.shape.slice(-2) as [number, number];
    const [columns, bDepth] = b.shape.slice(-2) as [number, number];
    const supported =
      attrs.transposeA !== true &&
      attrs.transposeB === true &&
      a.dtype === 'float32' &&
      b.dtype === 'float32' &&
      a.shape.length >= 3 &&
      b.shape.length === a.shape.length &&
      b.shape.slice(0, -2).join() === batchShape.join() &&
      depth === bDepth &&
      depth % 4 === 0 &&
      columns <= MAX_COLUMNS;
    if (!supported) return stock(args);
    const backend = asWasmBackend(args.backend);
    const out = backend.makeOutput([...batchShape, rows, columns], 'float32');
    const batches = tf.util.sizeFromShape(batchShape);
    if (batches * rows * columns > 0) {
      rowDotsKernel(wasmMemory(backend), depth).rowDots(
        heapAddress(backend, a),
        heapAddress(backend, b),
        heapAddress(backend, out),
        batches,
        rows,
        columns,
      );
    }
    return out;
  };
}

import * as tf from '@tensorflow/tfjs';
// Imported for its side effect: the stock wasm kernels must be registered before some are replaced.
import '@tensorflow/tfjs-backend-wasm';
import { makeBatchMatMul } from './batch-mat-mul.js';
import { conv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { makeConv2D } from './conv2d.js';
import { makeConv2DBackpropInput } from './conv2d-backprop-input.js';
import { makeCast, makeIdentity } from './no-copy.js';
import { makeMean, makeSum } from './reductions.js';
import { WASM } from './wasm-backend.js';

let registered = false;

/** Wraps a stock wasm kernel: `make` gets the stock function to fall back on for cases it does not speed up. */
function replaceStockKernel(kernelName: string, make: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  const stock = tf.getKernel(kernelName, WASM);
  if (stock === undefined) throw new Error(`tfjs-backend-wasm has no ${kernelName} kernel to replace`);
  tf.unregisterKernel(kernelName, WASM);
  tf.registerKernel({ ...stock, kernelFunc: make(stock.kernelFunc) });
}

/**
 * Registers the project's kernels for the wasm backend: Conv2DBackpropFilter (missing in
 * tfjs-backend-wasm 4.22), a Conv2DBackpropInput that replaces the stock, naive one (kept as the
 * fallback for strided convolutions), Conv2D and FusedConv2D on the emitted GEMM kernel, batched
 * matrix-times-few-columns products (CAM's weighted sums), and cheaper reductions and copies. Idempotent; call it once the wasm backend package is imported.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  const stockInput = tf.getKernel('Conv2DBackpropInput', WASM);
  for (const name of ['Conv2DBackpropInput', 'Conv2DBackpropFilter']) {
    if (tf.getKernel(name, WASM) !== undefined) tf.unregisterKernel(name, WASM);
  }
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: WASM,
    kernelFunc: makeConv2DBackpropInput(stockInput?.kernelFunc),
    // The stock kernel binds its wasm function in its setup; the fallback needs that when the backend starts later.
    setupFunc: stockInput?.setupFunc,
  });
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: WASM,
    kernelFunc: conv2DBackpropFilter,
  });
  replaceStockKernel('Conv2D', (stock) => makeConv2D('Conv2D', stock));
  replaceStockKernel('FusedConv2D', (stock) => makeConv2D('FusedConv2D', stock));
  replaceStockKernel('BatchMatMul', makeBatchMatMul);
  replaceStockKernel('Mean', makeMean);
  replaceStockKernel('Sum', makeSum);
  replaceStockKernel('Identity', makeIdentity);
  replaceStockKernel('Cast', makeCast);
  registered = true;
}

import * as tf from '@tensorflow/tfjs';
// Imported for its side effect: the stock wasm kernels must be registered before some are replaced.
import '@tensorflow/tfjs-backend-wasm';
import { makeBatchMatMul } from './batch-mat-mul.js';
import { conv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { makeConv2D } from './conv2d.js';
import { makeConv2DBackpropInput } from './conv2d-backprop-input.js';
import { makeCast, makeIdentity } from './no-copy.js';
import { makeMean, makeSum } from './reductions.js';
import { registerGradients } from './gradients.js';
import { onednnAddon } from './onednn-addon.js';
import { ONEDNN_KERNELS } from './onednn.js';
import { WASM } from './wasm-backend.js';

/** Which convolution kernels the wasm backend runs: oneDNN's through the native addon, or the emitted ones. */
export type WasmKernelSet = 'onednn' | 'emitted';
export type WasmKernelPreference = 'auto' | WasmKernelSet;
export const WASM_KERNEL_PREFERENCES: readonly WasmKernelPreference[] = ['auto', 'onednn', 'emitted'];

/** The kernel set registered, and why (the addon's version and ISA, or why it was passed over). */
export interface WasmKernelChoice {
  set: WasmKernelSet;
  reason: string;
}

let registered: WasmKernelChoice | undefined;

/** Wraps a registered wasm kernel: `make` gets the current function to fall back on for cases it does not speed up. */
function replaceKernel(kernelName: string, make: (current: tf.KernelFunc) => tf.KernelFunc): void {
  const current = tf.getKernel(kernelName, WASM);
  if (current === undefined) throw new Error(`tfjs-backend-wasm has no ${kernelName} kernel to replace`);
  tf.unregisterKernel(kernelName, WASM);
  tf.registerKernel({ ...current, kernelFunc: make(current.kernelFunc) });
}

/** Puts oneDNN's convolutions in front of the emitted ones (which remain the fallback), when the addon loads. */
function registerOnednnKernels(pref: WasmKernelPreference): WasmKernelChoice {
  if (pref === 'emitted') return { set: 'emitted', reason: 'requested explicitly' };
  const { addon, error } = onednnAddon();
  if (addon === undefined) {
    if (pref === 'onednn')
      throw new Error(`CAM_WASM_KERNELS=onednn: the oneDNN addon is unavailable: ${error}`);
    return { set: 'emitted', reason: `oneDNN addon unavailable (${error})` };
  }
  for (const [name, make] of Object.entries(ONEDNN_KERNELS))
    replaceKernel(name, (emitted) => make(addon, emitted));
  const { version, isa } = addon.info();
  return { set: 'onednn', reason: `oneDNN ${version}, ${isa}` };
}

/** `CAM_WASM_KERNELS` (auto, onednn or emitted), checked. */
function kernelPreference(value: string): WasmKernelPreference {
  if (!(WASM_KERNEL_PREFERENCES as readonly string[]).includes(value)) {
    throw new RangeError(
      `CAM_WASM_KERNELS: must be one of ${WASM_KERNEL_PREFERENCES.join(', ')}, got '${value}'`,
    );
  }
  return value as WasmKernelPreference;
}

/**
 * Registers the project's kernels for the wasm backend: Conv2DBackpropFilter (missing in
 * tfjs-backend-wasm 4.22), a Conv2DBackpropInput that replaces the stock, naive one (kept as the
 * fallback for strided convolutions), Conv2D and FusedConv2D on the emitted GEMM kernel, batched
 * matrix-times-few-columns products (CAM's weighted sums), cheaper reductions and copies, and leaner gradients
 * of ReLU and global average pooling; then, unless
 * `pref` is 'emitted', oneDNN's convolutions through the native addon in front of the emitted ones where
 * the addon loads ('onednn' insists on it). Idempotent (later calls return the first choice); call it once
 * the wasm backend package is imported.
 * @param pref @defaultValue `process.env.CAM_WASM_KERNELS ?? 'auto'`
 */
export function registerWasmKernels(pref: string = process.env.CAM_WASM_KERNELS ?? 'auto'): WasmKernelChoice {
  if (registered !== undefined) return registered;
  const preference = kernelPreference(pref);
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
  replaceKernel('Conv2D', (stock) => makeConv2D('Conv2D', stock));
  replaceKernel('FusedConv2D', (stock) => makeConv2D('FusedConv2D', stock));
  replaceKernel('BatchMatMul', makeBatchMatMul);
  replaceKernel('Mean', makeMean);
  replaceKernel('Sum', makeSum);
  replaceKernel('Identity', makeIdentity);
  replaceKernel('Cast', makeCast);
  registerGradients();
  registered = registerOnednnKernels(preference);
  return registered;
}

import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { isWasmMemory, type WasmMemory } from './wasm-module.js';

/** The name tfjs registers the WebAssembly backend under. */
export const WASM = 'wasm';

/** Arguments tfjs hands to every kernel function. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}

/** The wasm backend object a kernel receives (typed `unknown` by tfjs-core's kernel interface). */
export function asWasmBackend(backend: unknown): BackendWasm {
  return backend as BackendWasm;
}

/**
 * A float32 view of a tensor's data in the wasm heap. Take it again after every allocation
 * (makeOutput, or any kernel call): when the heap grows its buffer is replaced and older views
 * silently read and write the detached old memory.
 */
export function heapFloat32(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Where a tensor's float32 data starts in the whole wasm heap, and that heap (re-take both after any allocation). */
export function heapAt(backend: BackendWasm, info: tf.TensorInfo): { heap: Float32Array; at: number } {
  const view = heapFloat32(backend, info);
  return { heap: new Float32Array(view.buffer), at: view.byteOffset / Float32Array.BYTES_PER_ELEMENT };
}

/** Calls a kernel registered for the wasm backend (a stock one or one of ours) directly. */
export function runWasmKernel(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  backend: BackendWasm,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(kernelName, WASM);
  if (kernel === undefined) throw new Error(`the wasm backend has no ${kernelName} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

/** A view of `info` with another shape of the same size; it shares (and does not own) the data. */
export function withShape(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, dtype: info.dtype, shape };
}

type Shape4 = [number, number, number, number];

/** Geometry of a 2-D convolution in NHWC as tfjs computes it for the forward op; NCHW is refused. */
export function convGeometry(
  kernelName: string,
  xShape: number[],
  filterShape: number[],
  attrs: tf.NamedAttrMap,
): tf.backend_util.Conv2DInfo {
  const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC') {
    throw new Error(
      `${kernelName} (wasm, @cam/model kernels): dataFormat '${dataFormat}' is not supported, only 'NHWC'`,
    );
  }
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(
      `${kernelName} (wasm, @cam/model kernels): expected rank-4 input and filter, got [${xShape}] and [${filterShape}]`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

/** Fused epilogues the project's convolution kernels apply themselves; others go to the stock kernel. */
const ACTIVATIONS = new Set(['linear', 'relu']);

/** A Conv2D or FusedConv2D call's operands and geometry. */
export interface ConvCall {
  backend: BackendWasm;
  x: tf.TensorInfo;
  filter: tf.TensorInfo;
  bias: tf.TensorInfo | undefined;
  relu: boolean;
  info: tf.backend_util.Conv2DInfo;
  /** float32, no activation but ReLU, no PReLU weights, a bias of one value per output channel. */
  plain: boolean;
}

export function convCall(kernelName: string, args: KernelArgs): ConvCall {
  const { inputs, attrs = {} } = args;
  const x = inputs.x as tf.TensorInfo;
  const filter = inputs.filter as tf.TensorInfo;
  const bias = inputs.bias as tf.TensorInfo | undefined;
  const activation = (attrs.activation as string | undefined) ?? 'linear';
  const info = convGeometry(kernelName, x.shape, filter.shape, attrs);
  const plain =
    x.dtype === 'float32' &&
    filter.dtype === 'float32' &&
    ACTIVATIONS.has(activation) &&
    inputs.preluActivationWeights === undefined &&
    (bias === undefined ||
      (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === info.outChannels));
  return { backend: asWasmBackend(args.backend), x, filter, bias, relu: activation === 'relu', info, plain };
}

/** The wasm backend's heap as a WebAssembly.Memory, for the project's own emitted kernels to import. */
export function wasmMemory(backend: BackendWasm): WasmMemory {
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!isWasmMemory(memory)) {
    throw new Error(
      '@cam/model kernels: this tfjs-backend-wasm build does not export its memory (asm.memory)',
    );
  }
  return memory;
}

/** Byte offset of a tensor's data in the wasm heap; unlike a view, it stays valid when the heap grows. */
export function heapAddress(backend: BackendWasm, info: tf.TensorInfo): number {
  return heapFloat32(backend, info).byteOffset;
}

/**
 * float32 NHWC x with `padInfo`'s zeros around its height and width (x itself, with a new reference, when
 * there are none): one copy per row inside the heap, where the stock PadV2 kernel moves element by element
 * (3.2 ms for [128, 28, 28, 16], most of it avoidable).
 */
export function padSpatially(
  backend: BackendWasm,
  x: tf.TensorInfo,
  padInfo: { top: number; bottom: number; left: number; right: number },
): tf.TensorInfo {
  const { top, bottom, left, right } = padInfo;
  if (top === 0 && bottom === 0 && left === 0 && right === 0) {
    return runWasmKernel('Identity', { x }, backend);
  }
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const paddedHeight = height + top + bottom;
  const paddedWidth = width + left + right;
  const out = backend.makeOutput([batch, paddedHeight, paddedWidth, channels], 'float32');
  const { heap, at: outAt } = heapAt(backend, out);
  const rowFloats = width * channels;
  const paddedRowFloats = paddedWidth * channels;
  heap.fill(0, outAt, outAt + batch * paddedHeight * paddedRowFloats);
  let from = heapAt(backend, x).at;
  let to = outAt + (top * paddedWidth + left) * channels;
  for (let image = 0; image < batch; image++, to += (top + bottom) * paddedRowFloats) {
    for (let row = 0; row < height; row++, from += rowFloats, to += paddedRowFloats) {
      heap.copyWithin(to, from, from + rowFloats);
    }
  }
  return out;
}

import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { OnednnAddon } from './onednn-addon.js';
import {
  asWasmBackend,
  convCall,
  convGeometry,
  heapAddress,
  type KernelArgs,
  wasmMemory,
} from './wasm-backend.js';

/**
 * The addon's geometry of a convolution (see `Geometry` in native/onednn-conv.cc), or undefined when
 * oneDNN cannot express tfjs's padding (a negative bottom/right padding).
 */
export function convGeometryArray(info: tf.backend_util.Conv2DInfo): Int32Array | undefined {
  const { padInfo } = info;
  const padEnd = (
    out: number,
    stride: number,
    filter: number,
    dilation: number,
    size: number,
    start: number,
  ) => (out - 1) * stride + (filter - 1) * dilation + 1 - size - start;
  if (
    padEnd(
      info.outHeight,
      info.strideHeight,
      info.filterHeight,
      info.dilationHeight,
      info.inHeight,
      padInfo.top,
    ) < 0 ||
    padEnd(
      info.outWidth,
      info.strideWidth,
      info.filterWidth,
      info.dilationWidth,
      info.inWidth,
      padInfo.left,
    ) < 0
  )
    return undefined;
  return Int32Array.of(
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    padInfo.top,
    padInfo.left,
  );
}

/** The heap's current ArrayBuffer: re-read on every call, since growing the memory replaces it. */
function heapBuffer(backend: BackendWasm): ArrayBuffer {
  return wasmMemory(backend).buffer;
}

/** Node-API reads an ArrayBuffer only: a threaded wasm build's SharedArrayBuffer heap goes to the fallback. */
function plainHeap(backend: BackendWasm): boolean {
  return heapBuffer(backend) instanceof ArrayBuffer;
}

/** Conv2D and FusedConv2D (bias, ReLU as oneDNN post-ops); other activations, PReLU and non-float32 go to `fallback`. */
function makeOnednnConv2D(
  addon: OnednnAddon,
  kernelName: 'Conv2D' | 'FusedConv2D',
  fallback: tf.KernelFunc,
): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { backend, x, filter, bias, relu, info, plain } = convCall(kernelName, args);
    const geometry = convGeometryArray(info);
    if (!plain || geometry === undefined || !plainHeap(backend)) return fallback(args);
    const out = backend.makeOutput(info.outShape, 'float32');
    addon.conv2d(
      heapBuffer(backend),
      geometry,
      heapAddress(backend, x),
      heapAddress(backend, filter),
      bias === undefined ? -1 : heapAddress(backend, bias),
      heapAddress(backend, out),
      relu,
    );
    return out;
  };
}

const INPUT_GRADIENT = 'Conv2DBackpropInput';

/** dx of a convolution on oneDNN's backward-data primitive (any stride, padding, dilation). */
function makeOnednnConv2DBackpropInput(addon: OnednnAddon, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { inputs, attrs = {} } = args;
    const backend = asWasmBackend(args.backend);
    const dy = inputs.dy as tf.TensorInfo;
    const filter = inputs.filter as tf.TensorInfo;
    const info = convGeometry(INPUT_GRADIENT, attrs.inputShape as number[], filter.shape, attrs);
    const geometry = convGeometryArray(info);
    const usable = geometry !== undefined && dy.dtype === 'float32' && plainHeap(backend);
    if (!usable || dy.shape.join() !== info.outShape.join()) return fallback(args);
    const dx = backend.makeOutput(info.inShape, 'float32');
    addon.conv2dBackpropInput(
      heapBuffer(backend),
      geometry,
      heapAddress(backend, dy),
      heapAddress(backend, filter),
      heapAddress(backend, dx),
    );
    return dx;
  };
}

const FILTER_GRADIENT = 'Conv2DBackpropFilter';

/** dW of a convolution on oneDNN's backward-weights primitive. */
function makeOnednnConv2DBackpropFilter(addon: OnednnAddon, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const { inputs, attrs = {} } = args;
    const backend = asWasmBackend(args.backend);
    const x = inputs.x as tf.TensorInfo;
    const dy = inputs.dy as tf.TensorInfo;
    const filterShape = attrs.filterShape as number[];
    const info = convGeometry(FILTER_GRADIENT, x.shape, filterShape, attrs);
    const geometry = convGeometryArray(info);
    const usable = geometry !== undefined && x.dtype === 'float32' && plainHeap(backend);
    if (!usable || dy.shape.join() !== info.outShape.join()) return fallback(args);
    const dw = backend.makeOutput(filterShape, 'float32');
    addon.conv2dBackpropFilter(
      heapBuffer(backend),
      geometry,
      heapAddress(backend, x),
      heapAddress(backend, dy),
      heapAddress(backend, dw),
      -1,
    );
    return dw;
  };
}

/** The kernels oneDNN runs, by tfjs kernel name, each made over the kernel it falls back on. */
export const ONEDNN_KERNELS: Record<string, (addon: OnednnAddon, fallback: tf.KernelFunc) => tf.KernelFunc> =
  {
    Conv2D: (addon, fallback) => makeOnednnConv2D(addon, 'Conv2D', fallback),
    FusedConv2D: (addon, fallback) => makeOnednnConv2D(addon, 'FusedConv2D', fallback),
    Conv2DBackpropInput: makeOnednnConv2DBackpropInput,
    Conv2DBackpropFilter: makeOnednnConv2DBackpropFilter,
  };

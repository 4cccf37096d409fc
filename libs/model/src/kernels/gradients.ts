import * as tf from '@tensorflow/tfjs';
import { normalisedAxes } from './reductions.js';
import {
  cachedInstance,
  Locals,
  op,
  reductionLoop,
  type WasmFunction,
  type WasmMemory,
} from './wasm-module.js';
import {
  asWasmBackend,
  heapAddress,
  heapFloat32,
  type KernelArgs,
  WASM,
  wasmMemory,
} from './wasm-backend.js';

/** The wasm kernel behind ReLU's gradient: dx = dy where y > 0, else 0. */
export const RELU_GRAD = 'CamReluGrad';
/** The wasm kernel behind the gradient of a spatial mean (global average pooling): dy[b, c] / (H * W) everywhere. */
export const SPATIAL_MEAN_GRAD = 'CamSpatialMeanGrad';

/**
 * reluGrad(dy, y, out, quads): out[i] = y[i] > 0 ? dy[i] : 0 for i < 4 * quads (quads >= 1), four lanes at a
 * time as dy AND (y > 0).
 */
function reluGradFunction(): WasmFunction {
  const [dy, y, out, quads] = [0, 1, 2, 3];
  const locals = new Locals(4);
  const k = locals.add('i32');
  const body = reductionLoop(
    k,
    { local: quads },
    [
      ...op.localGet(out),
      ...op.localGet(dy),
      ...op.v128Load(0),
      ...op.localGet(y),
      ...op.v128Load(0),
      ...op.v128Zero,
      ...op.f32x4Gt,
      ...op.v128And,
      ...op.v128Store(0),
    ],
    [
      [dy, 16],
      [y, 16],
      [out, 16],
    ],
  );
  return { name: 'reluGrad', params: 4, locals: locals.types, body };
}

function reluGradKernel(memory: WasmMemory): {
  reluGrad(dy: number, y: number, out: number, quads: number): void;
} {
  return cachedInstance(memory, 'reluGrad', () => [reluGradFunction()]) as ReturnType<typeof reluGradKernel>;
}

/** {@link RELU_GRAD} on the wasm backend: one pass over the heap where tfjs's gradient runs Step, then Multiply. */
function reluGrad(args: KernelArgs): tf.TensorInfo {
  const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
  const backend = asWasmBackend(args.backend);
  const out = backend.makeOutput(dy.shape, 'float32');
  const size = tf.util.sizeFromShape(dy.shape);
  const quads = size >> 2;
  if (quads > 0) {
    reluGradKernel(wasmMemory(backend)).reluGrad(
      heapAddress(backend, dy),
      heapAddress(backend, y),
      heapAddress(backend, out),
      quads,
    );
  }
  const [d, v, o] = [dy, y, out].map((t) => heapFloat32(backend, t));
  for (let i = 4 * quads; i < size; i++) o[i] = v[i]! > 0 ? d[i]! : 0;
  return out;
}

/** {@link SPATIAL_MEAN_GRAD}: each image's scaled channel vector written to every pixel, one row copy each. */
function spatialMeanGrad(args: KernelArgs): tf.TensorInfo {
  const { dy } = args.inputs as { dy: tf.TensorInfo };
  const shape = args.attrs!.shape as [number, number, number, number];
  const [batch, height, width, channels] = shape;
  const backend = asWasmBackend(args.backend);
  const out = backend.makeOutput(shape, 'float32');
  const [d, o] = [dy, out].map((t) => heapFloat32(backend, t));
  const pixels = height * width;
  const row = new Float32Array(channels);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) row[c] = d![b * channels + c]! / pixels;
    for (let p = 0; p < pixels; p++) o!.set(row, (b * pixels + p) * channels);
  }
  return out;
}

const onWasm = (...tensors: tf.Tensor[]) =>
  tf.getBackend() === WASM && tensors.every((t) => t.dtype === 'float32');

let registered = false;

/**
 * Gradients that keep less and pass over the 256-channel activations fewer times than tfjs's own, on the wasm
 * backend (other backends, and cases these do not cover, get the same values from tfjs's arithmetic):
 * - ReLU's from its output y rather than its input x (y > 0 exactly where x > 0): the pre-activations need not
 *   be kept for the backward pass (c3's last one is 103 MB at batch 128), and one pass replaces step(x) and a
 *   multiply;
 * - a mean over the spatial axes of an NHWC tensor (global average pooling) written in one pass, where tfjs's
 *   builds a tensor of ones, multiplies and divides (three temporaries the size of the input).
 */
export function registerGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: RELU_GRAD, backendName: WASM, kernelFunc: reluGrad });
  tf.registerKernel({ kernelName: SPATIAL_MEAN_GRAD, backendName: WASM, kernelFunc: spatialMeanGrad });
  tf.registerGradient({
    kernelName: 'Relu',
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved as [tf.Tensor];
      const grad = dy as tf.Tensor;
      return {
        x: () =>
          onWasm(grad, y)
            ? (tf.engine().runKernel(RELU_GRAD, { dy: grad, y }) as tf.Tensor)
            : tf.mul(grad, tf.step(y)),
      };
    },
  });
  const stockMean = tf.getGradient('Mean');
  tf.registerGradient({
    ...stockMean,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const grad = dy as tf.Tensor;
      if (!onWasm(grad, x) || x.rank !== 4 || normalisedAxes(attrs.axis, 4).join() !== '1,2')
        return stockMean.gradFunc(dy, saved, attrs);
      return {
        x: () => tf.engine().runKernel(SPATIAL_MEAN_GRAD, { dy: grad }, { shape: x.shape }) as tf.Tensor,
      };
    },
  });
}

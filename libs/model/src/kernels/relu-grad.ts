import * as tf from '@tensorflow/tfjs';
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

/**
 * ReLU's gradient from its output y rather than its input x (y > 0 exactly where x > 0): the pre-activations
 * need not be kept for the backward pass (c3's last one is 103 MB at batch 128), and on the wasm backend one
 * pass replaces tfjs's step(x) and multiply. Other backends compute dy * step(y).
 */
export function registerReluGradient(): void {
  tf.registerKernel({ kernelName: RELU_GRAD, backendName: WASM, kernelFunc: reluGrad });
  tf.registerGradient({
    kernelName: 'Relu',
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved as [tf.Tensor];
      const grad = dy as tf.Tensor;
      return {
        x: () =>
          tf.getBackend() === WASM && grad.dtype === 'float32' && y.dtype === 'float32'
            ? (tf.engine().runKernel(RELU_GRAD, { dy: grad, y }) as tf.Tensor)
            : tf.mul(grad, tf.step(y)),
      };
    },
  });
}

import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, type KernelArgs } from './wasm-backend.js';

/** The same data under a new reference: tensors are immutable, so nothing needs copying. */
function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  asWasmBackend(backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Identity without the stock kernel's copy of the whole tensor (string tensors go to `stock`). */
export function makeIdentity(stock: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    return x.dtype === 'string' ? stock(args) : share(x, args.backend);
  };
}

/** Cast to the dtype a tensor already has, without a copy; real conversions go to `stock`. */
export function makeCast(stock: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    return x.dtype !== 'string' && x.dtype === args.attrs?.dtype ? share(x, args.backend) : stock(args);
  };
}

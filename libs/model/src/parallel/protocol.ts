import type { WasmKernelSet } from '../kernels/index.js';
/** Buffers shared by the main thread and every worker (no copies per step beyond writing into them). */
export interface SharedBuffers {
  /** Current weights, flat in trainable-variable order; written by the main thread before each step. */
  weights: SharedArrayBuffer;
  /** One flat gradient vector per thread (slot 0: the main thread). */
  gradients: SharedArrayBuffer;
  /** The batch's images, float32 [maxBatch, H, W, C]. */
  images: SharedArrayBuffer;
  /** The batch's labels, int32 [maxBatch]. */
  labels: SharedArrayBuffer;
}

/** What a worker starts from. */
export interface WorkerInit {
  /** `model.toJSON(null, false)`: the topology to rebuild the same network. */
  topology: object;
  buffers: SharedBuffers;
  /** This worker's gradient slot. */
  slot: number;
  parameters: number;
  /** [H, W, C] of one image. */
  imageShape: [number, number, number];
}

/** Main -> worker: compute the gradients of images [start, end) of a batch of `batchSize`. */
export interface StepRequest {
  start: number;
  end: number;
  batchSize: number;
}

/** Worker -> main. */
export type WorkerReply =
  /** Started, with the wasm convolution kernels its registerWasmKernels chose. */
  | { type: 'ready'; kernels: WasmKernelSet }
  | { type: 'done'; lossShare: number; correct: number }
  | { type: 'error'; message: string };

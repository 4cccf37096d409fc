import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '@cam/process';
import * as tf from '@tensorflow/tfjs';
import type { WasmKernelSet } from '../kernels/index.js';
import type { SharedBuffers, StepRequest, WorkerInit, WorkerReply } from './protocol.js';
import { parameterCount } from '../build.js';
import { type GradientTarget, gradientTargetOf, readFlat, shardGradients } from './shard.js';

export interface DataParallelOptions {
  /** Threads computing gradients, the calling thread included. @defaultValue os.availableParallelism() */
  threads?: number;
  /** Largest batch `step` will be given. @defaultValue 256 */
  maxBatch?: number;
}

/** Result of one data-parallel training step over a whole batch. */
export interface StepResult {
  /** Mean cross-entropy over the batch (before the update). */
  loss: number;
  /** Share of the batch predicted correctly (before the update). */
  accuracy: number;
}

/** All cores when a run is alone on the machine. */
export function defaultThreadCount(): number {
  return availableParallelism();
}

function startWorker(init: WorkerInit): Worker {
  return startTsWorker(new URL('./worker.ts', import.meta.url), { workerData: init });
}

/** The next reply of a worker (each worker handles one request at a time). */
function nextReply(worker: Worker): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerReply) => {
      worker.off('error', onError);
      resolve(message);
    };
    const onError = (err: Error) => {
      worker.off('message', onMessage);
      reject(err);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });
}

async function expectReply<T extends WorkerReply['type']>(
  worker: Worker,
  type: T,
): Promise<Extract<WorkerReply, { type: T }>> {
  const message = await nextReply(worker);
  if (message.type === 'error') throw new Error(`data-parallel worker failed: ${message.message}`);
  if (message.type !== type)
    throw new Error(`data-parallel worker: expected '${type}', got '${message.type}'`);
  return message as Extract<WorkerReply, { type: T }>;
}

/**
 * Data-parallel training of one model over worker threads, each with its own tfjs/wasm instance: every
 * step splits the batch into one contiguous shard per thread (the calling thread computes shard 0),
 * sums the shards' gradients from a SharedArrayBuffer, and applies them with the caller's optimizer
 * to the caller's model; workers take the new weights from shared memory at the next step. The update
 * is the whole batch's mean-loss gradient, as in one-thread training, up to float summation order.
 */
export class DataParallelTrainer {
  private readonly target: GradientTarget;
  private readonly weights: Float32Array;
  private readonly gradients: Float32Array;
  private readonly images: Float32Array;
  private readonly labels: Int32Array;

  private constructor(
    readonly threads: number,
    private readonly maxBatch: number,
    private readonly parameters: number,
    private readonly imageShape: [number, number, number],
    buffers: SharedBuffers,
    private readonly workers: Worker[],
    model: tf.LayersModel,
    /** The wasm convolution kernels each worker thread runs (the calling thread's are its own choice). */
    readonly workerKernels: WasmKernelSet[],
  ) {
    this.target = gradientTargetOf(model);
    this.weights = new Float32Array(buffers.weights);
    this.gradients = new Float32Array(buffers.gradients);
    this.images = new Float32Array(buffers.images);
    this.labels = new Int32Array(buffers.labels);
  }

  /** Starts `threads - 1` workers holding copies of `model`'s architecture (its weights follow each step). */
  static async create(model: tf.LayersModel, opts: DataParallelOptions = {}): Promise<DataParallelTrainer> {
    const threads = opts.threads ?? defaultThreadCount();
    const maxBatch = opts.maxBatch ?? 256;
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads: must be a positive integer, got ${threads}`);
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new RangeError(`maxBatch: must be a positive integer, got ${maxBatch}`);
    const imageShape = model.inputs[0]!.shape.slice(1) as [number, number, number];
    if (imageShape.length !== 3 || imageShape.some((d) => d === null)) {
      throw new RangeError(
        `model input must be [batch, H, W, C] with fixed H, W, C, got [${model.inputs[0]!.shape}]`,
      );
    }
    const parameters = parameterCount(model);
    const pixels = imageShape[0] * imageShape[1] * imageShape[2];
    const buffers: SharedBuffers = {
      weights: new SharedArrayBuffer(parameters * 4),
      gradients: new SharedArrayBuffer(threads * parameters * 4),
      images: new SharedArrayBuffer(maxBatch * pixels * 4),
      labels: new SharedArrayBuffer(maxBatch * 4),
    };
    const topology = model.toJSON(null, false) as object;
    const workers = Array.from({ length: threads - 1 }, (_, k) =>
      startWorker({ topology, buffers, slot: k + 1, parameters, imageShape }),
    );
    let ready: Extract<WorkerReply, { type: 'ready' }>[];
    try {
      ready = await Promise.all(workers.map((w) => expectReply(w, 'ready')));
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    const kernels = ready.map((r) => r.kernels);
    return new DataParallelTrainer(
      threads,
      maxBatch,
      parameters,
      imageShape,
      buffers,
      workers,
      model,
      kernels,
    );
  }

  /** One training step on a batch: gradients from every thread, summed, applied by `optimizer`. */
  async step(xs: tf.Tensor4D, labels: tf.Tensor1D, optimizer: tf.Optimizer): Promise<StepResult> {
    const batchSize = xs.shape[0];
    if (batchSize > this.maxBatch)
      throw new RangeError(`batch of ${batchSize} exceeds maxBatch ${this.maxBatch}`);
    if (labels.shape[0] !== batchSize)
      throw new RangeError(`labels: ${labels.shape[0]} for a batch of ${batchSize} images`);
    this.images.set(xs.dataSync());
    this.labels.set(labels.dataSync());
    readFlat(this.target.variables, this.weights);
    const shards = Array.from({ length: Math.min(this.threads, batchSize) }, (_, k) => ({
      start: Math.floor((k * batchSize) / Math.min(this.threads, batchSize)),
      end: Math.floor(((k + 1) * batchSize) / Math.min(this.threads, batchSize)),
    }));
    const replies = shards.slice(1).map((shard, k) => {
      const worker = this.workers[k]!;
      const pending = expectReply(worker, 'done');
      worker.postMessage({ ...shard, batchSize } satisfies StepRequest);
      return pending;
    });
    const own = this.ownShard(shards[0]!, batchSize);
    const results = [own, ...(await Promise.all(replies))];
    this.applySummedGradients(results.length, optimizer);
    return {
      loss: results.reduce((s, r) => s + r.lossShare, 0),
      accuracy: results.reduce((s, r) => s + r.correct, 0) / batchSize,
    };
  }

  private ownShard(shard: { start: number; end: number }, batchSize: number) {
    const pixels = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    const count = shard.end - shard.start;
    const xs = tf.tensor4d(this.images.subarray(shard.start * pixels, shard.end * pixels), [
      count,
      ...this.imageShape,
    ]);
    const ys = tf.tensor1d(this.labels.subarray(shard.start, shard.end), 'int32');
    const result = shardGradients(
      this.target,
      xs,
      ys,
      batchSize,
      this.gradients.subarray(0, this.parameters),
    );
    tf.dispose([xs, ys]);
    return result;
  }

  private applySummedGradients(slots: number, optimizer: tf.Optimizer): void {
    const sum = this.gradients.slice(0, this.parameters);
    for (let slot = 1; slot < slots; slot++) {
      const g = this.gradients.subarray(slot * this.parameters, (slot + 1) * this.parameters);
      for (let i = 0; i < sum.length; i++) sum[i]! += g[i]!;
    }
    tf.tidy(() => {
      const named: tf.NamedTensorMap = {};
      let offset = 0;
      for (const v of this.target.variables) {
        named[v.name] = tf.tensor(sum.subarray(offset, offset + v.size), v.shape, 'float32');
        offset += v.size;
      }
      optimizer.applyGradients(named);
    });
  }

  /** Stops the workers. */
  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

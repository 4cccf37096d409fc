/** Worker-thread entry of data-parallel training: its own tfjs + wasm instance, one shard per step. */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { registerWasmKernels } from '../kernels/index.js';
import type { StepRequest, WorkerInit, WorkerReply } from './protocol.js';
import { assignFlat, gradientTargetOf, shardGradients } from './shard.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const reply = (message: WorkerReply) => port.postMessage(message);

try {
  const { set: kernels } = registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to start in a worker thread');
  const model = await tf.models.modelFromJSON(init.topology as Parameters<typeof tf.models.modelFromJSON>[0]);
  const target = gradientTargetOf(model);
  const weights = new Float32Array(init.buffers.weights);
  const gradients = new Float32Array(
    init.buffers.gradients,
    init.slot * init.parameters * 4,
    init.parameters,
  );
  const images = new Float32Array(init.buffers.images);
  const labels = new Int32Array(init.buffers.labels);
  const pixels = init.imageShape[0] * init.imageShape[1] * init.imageShape[2];
  port.on('message', (request: StepRequest) => {
    try {
      assignFlat(target.variables, weights);
      const count = request.end - request.start;
      const xs = tf.tensor4d(images.subarray(request.start * pixels, request.end * pixels), [
        count,
        ...init.imageShape,
      ]);
      const ys = tf.tensor1d(labels.subarray(request.start, request.end), 'int32');
      const result = shardGradients(target, xs, ys, request.batchSize, gradients);
      tf.dispose([xs, ys]);
      reply({ type: 'done', ...result });
    } catch (err) {
      reply({ type: 'error', message: (err as Error).stack ?? String(err) });
    }
  });
  reply({ type: 'ready', kernels });
} catch (err) {
  reply({ type: 'error', message: (err as Error).stack ?? String(err) });
}

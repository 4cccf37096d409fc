/**
 * Two cores for c3 training on the oneDNN kernels, two ways, alternating in one process:
 * `npx tsx tools/bench/src/threads.ts [--batch 128] [--steps 6] [--rounds 2]`. Prints images/s of
 * one thread with oneDNN on 1 OpenMP thread, one thread with oneDNN on 2 OpenMP threads (only the
 * convolutions run in parallel), and the data-parallel trainer on 2 threads (each worker's oneDNN on
 * 1 OpenMP thread: the whole step runs in parallel, with a merge of gradients per step).
 */
import * as tf from '@tensorflow/tfjs';
import { loadDataset, takeFirst } from '@cam/dataset';
import {
  Adam,
  DataParallelTrainer,
  applyGradients,
  buildModel,
  computeGradients,
  gradientTargetOf,
  initBackend,
  onednnAddon,
  trainableVariables,
} from '@cam/model';
import { numberFlag } from './options.js';

const flag = (name: string, fallback: number): number => numberFlag(process.argv, name, fallback);
const batch = flag('--batch', 128);
const steps = flag('--steps', 6);
const rounds = flag('--rounds', 2);

const { addon, error } = onednnAddon();
if (addon === undefined) throw new Error(`the oneDNN addon is unavailable: ${error}`);
await initBackend('wasm');
const set = takeFirst(await loadDataset({ dataset: 'mnist', split: 'train' }), batch);
const xs = tf.tidy(() =>
  tf.tensor4d(set.images, [batch, set.rows, set.cols, 1], 'float32').div(255),
) as tf.Tensor4D;
const ys = tf.tensor1d(Array.from(set.labels), 'int32');
const model = buildModel('c3', { seed: 1 });
const optimizer = new Adam(trainableVariables(model), 1e-3);
const trainer = await DataParallelTrainer.create(model, { threads: 2, maxBatch: batch });

/** images/s over `steps` steps after two untimed ones. */
async function imagesPerSecond(step: () => Promise<unknown> | void): Promise<number> {
  for (let i = 0; i < 2; i++) await step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) await step();
  return (steps * batch) / ((performance.now() - start) / 1000);
}
const target = gradientTargetOf(model);
const oneThread = () => applyGradients(optimizer, computeGradients(target, xs, ys).grads);
const results: Record<string, number[]> = {};
const record = (name: string, value: number) => (results[name] ??= []).push(Math.round(value * 10) / 10);
for (let round = 0; round < rounds; round++) {
  addon.setThreads(1);
  record('1 thread, oneDNN on 1 OpenMP thread', await imagesPerSecond(oneThread));
  addon.setThreads(2);
  record('1 thread, oneDNN on 2 OpenMP threads', await imagesPerSecond(oneThread));
  addon.setThreads(1);
  record(
    '2 data-parallel threads, 1 OpenMP thread each',
    await imagesPerSecond(() => trainer.step(xs, ys, optimizer)),
  );
}
await trainer.dispose();
for (const [name, values] of Object.entries(results))
  console.log(`${name.padEnd(48)} ${values.join('  ')} images/s`);
console.log(JSON.stringify({ batch, steps, images_per_s: results }));

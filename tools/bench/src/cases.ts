import * as tf from '@tensorflow/tfjs';
import { renderCamBatch } from '@cam/cam';
import { type ImageSet, loadDataset, takeFirst } from '@cam/dataset';
import {
  Adam,
  DataParallelTrainer,
  applyGradients,
  backendLabel,
  buildModel,
  camHead,
  computeGradients,
  gradientTargetOf,
  initBackend,
  trainableVariables,
} from '@cam/model';
import type { CaseName } from './options.js';

/** Threads each case runs on (the PyTorch reference is given the same count). */
export const CASE_THREADS: Record<CaseName, number> = {
  'train-c3': 1,
  'train-c3-2t': 2,
  'infer-c3': 1,
  'render-cam': 1,
};

/** The reference script's case that a case of ours is compared with. */
export const REFERENCE_CASE: Record<CaseName, string> = {
  'train-c3': 'train-c3',
  'train-c3-2t': 'train-c3',
  'infer-c3': 'infer-c3',
  'render-cam': 'render-cam',
};

export interface CaseMeasurement {
  backend: string;
  imagesPerSecond: number;
  notes?: Record<string, number | string>;
}

interface Batch {
  xs: tf.Tensor4D;
  labels: tf.Tensor1D;
  items: { image: Uint8Array; index: number; label: number }[];
}

/** The first `count` training images cut into full batches, as tensors made before any timing starts. */
function makeBatches(set: ImageSet, batch: number): Batch[] {
  const pixels = set.rows * set.cols;
  const out: Batch[] = [];
  for (let start = 0; start + batch <= set.count; start += batch) {
    const images = set.images.subarray(start * pixels, (start + batch) * pixels);
    const labels = Array.from(set.labels.subarray(start, start + batch));
    out.push({
      xs: tf.tidy(() => tf.tensor4d(images, [batch, set.rows, set.cols, 1], 'float32').div(255)),
      labels: tf.tensor1d(labels, 'int32'),
      items: labels.map((label, k) => ({
        image: images.subarray(k * pixels, (k + 1) * pixels),
        index: start + k,
        label,
      })),
    });
  }
  return out;
}

/**
 * Seconds taken by `run` over every batch, after two untimed warm-up runs: the wasm heap reaches its
 * steady size only during the second training step (858 MB for c3 at batch 128), and growing it costs
 * ~1 s of page faults and copying that steady-state training does not pay.
 */
async function timeOverBatches(batches: Batch[], run: (b: Batch) => Promise<void> | void): Promise<number> {
  await run(batches[0]!);
  await run(batches[0]!);
  const start = performance.now();
  for (const b of batches) await run(b);
  return (performance.now() - start) / 1000;
}

/** Runs one case in this process (the caller spawns one process per case, so peak RSS is per case). */
export async function runCase(name: CaseName, batch: number, images: number): Promise<CaseMeasurement> {
  const backend = backendLabel(await initBackend('wasm'));
  const set = takeFirst(await loadDataset({ dataset: 'mnist', split: 'train' }), images);
  const batches = makeBatches(set, batch);
  const counted = batches.length * batch;
  const model = buildModel('c3', { seed: 1 });
  const head = camHead(model);
  const infer = (b: Batch) => {
    // The whole batch in one pass, as the reference does (predict's default, 32, would split it and
    // concatenate the 100 MB of features back together).
    const [features, logits] = head.features.predict(b.xs, { batchSize: batch }) as tf.Tensor[];
    logits!.dataSync();
    tf.dispose([features!, logits!]);
  };
  switch (name) {
    case 'train-c3': {
      // The trainer's own one-thread step: gradients of the mean cross-entropy on logits, then Adam.
      const target = gradientTargetOf(model);
      const optimizer = new Adam(target.variables, 1e-3);
      const seconds = await timeOverBatches(batches, (b) => {
        applyGradients(optimizer, computeGradients(target, b.xs, b.labels).grads);
      });
      return { backend, imagesPerSecond: counted / seconds };
    }
    case 'train-c3-2t': {
      const trainer = await DataParallelTrainer.create(model, {
        threads: CASE_THREADS[name],
        maxBatch: batch,
      });
      const optimizer = new Adam(trainableVariables(model), 1e-3);
      try {
        const seconds = await timeOverBatches(batches, async (b) => {
          await trainer.step(b.xs, b.labels, optimizer);
        });
        return { backend, imagesPerSecond: counted / seconds };
      } finally {
        await trainer.dispose();
      }
    }
    case 'infer-c3':
      return { backend, imagesPerSecond: counted / (await timeOverBatches(batches, infer)) };
    case 'render-cam': {
      const render = async (b: Batch) => {
        await renderCamBatch(model, b.items, { size: 112, batchSize: batch, montage: false });
      };
      const renderSeconds = await timeOverBatches(batches, render);
      const inferSeconds = await timeOverBatches(batches, infer);
      const outside = Math.max(0, 1 - inferSeconds / renderSeconds);
      return {
        backend,
        imagesPerSecond: counted / renderSeconds,
        notes: { share_outside_inference: Math.round(outside * 100) / 100 },
      };
    }
  }
}

import { PNG } from 'pngjs';
import type { Job } from 'bullmq';
import type { CamJob, CamJobResult, JobRegistry, TrainingJob, TrainingJobResult } from '@cam/queue';
import type { ArtifactStore } from '@cam/storage';

/** A grey PNG of the given size (a real, decodable image). */
export function greyPng(width: number, height: number, value = 128): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(value);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  return PNG.sync.write(png);
}

/**
 * A stand-in trainer for API tests: reports progress through the registry, writes a run folder with real
 * files and returns a TrainingJobResult whose validation accuracy grows with the learning rate.
 */
export function fakeTrainer(registry: JobRegistry, store: ArtifactStore, stepMs = 60) {
  return async (job: Job<TrainingJob, TrainingJobResult>): Promise<TrainingJobResult> => {
    const { runId, params } = job.data;
    const steps = 3;
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      for (let step = 1; step <= steps; step++) {
        await registry.setProgress(runId, {
          epoch,
          epochs: params.epochs,
          step,
          steps,
          loss: 1 / (epoch * step),
          accuracy: 0.5,
          imagesPerSecond: 100,
          etaSeconds: 1,
        });
        await new Promise((r) => setTimeout(r, stepMs));
      }
    }
    const validationAccuracy = Math.min(0.99, 0.5 + params.learningRate * 100);
    const dir = `runs/${runId}`;
    await store.put(`${dir}/checkpoint/state.json`, '{}');
    await store.put(`${dir}/model.json`, JSON.stringify({ format: 'layers-model' }));
    await store.put(`${dir}/weights.bin`, Buffer.alloc(16, 1));
    await store.put(`${dir}/confusion-test.csv`, 'a,b\n1,2\n');
    await store.put(`${dir}/curves.png`, greyPng(8, 8));
    await store.put(`${dir}/metrics.json`, JSON.stringify({ arch: params.arch, validationAccuracy }));
    return {
      runId,
      metrics: {
        trainAccuracy: 0.9,
        validationAccuracy,
        testAccuracy: 0.9,
        epochsRun: params.epochs,
        wallSeconds: 1,
      },
      artifacts: ['metrics.json', 'model.json', 'weights.bin', 'confusion-test.csv', 'curves.png'],
    };
  };
}

/** A stand-in renderer: writes one PNG per item, montage.png and cams.npy, and returns a CamJobResult. */
export function fakeRenderer(store: ArtifactStore) {
  return async (job: Job<CamJob, CamJobResult>): Promise<CamJobResult> => {
    const { batchId, size } = job.data;
    const dir = `cam-batches/${batchId}`;
    const sources = job.data.indices ?? job.data.images?.map((_, i) => i) ?? [];
    const items = await Promise.all(
      sources.map(async (index) => {
        const file = `item-${index}.png`;
        await store.put(`${dir}/${file}`, greyPng(size, size, 40));
        return { index, label: job.data.indices ? index % 10 : null, predicted: 3, target: 3, file };
      }),
    );
    await store.put(`${dir}/montage.png`, greyPng(size * items.length, size));
    await store.put(`${dir}/cams.npy`, Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY')]));
    return { batchId, items, montage: 'montage.png', npy: 'cams.npy' };
  };
}

import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import type { Job } from 'bullmq';
import type { CamJob, CamJobResult, JobRegistry, TrainingJob, TrainingJobResult } from '@cam/queue';
import type { ArtifactStore } from '@cam/storage';
import { afterAll, beforeAll } from 'vitest';
import { QUEUE_NAMES, startApi, waitFor, type TestApi } from './support.js';

/** A grey PNG of the given size (a real, decodable image). */
export function greyPng(width: number, height: number, value = 128): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(value);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  return PNG.sync.write(png);
}

/**
 * An 8-bit grey PNG of any size, 0 included (pngjs will not write an empty image, but it decodes one):
 * signature, IHDR, one IDAT of zlib-compressed rows (filter byte 0, then the pixels), IEND, with real CRCs.
 */
export function anySizeGreyPng(width: number, height: number, value = 128): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(4 + body.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 4 + body.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // bit depth 8, colour type 0 (grey), deflate, no filter, no interlace
  const row = Buffer.alloc(1 + width, value);
  row[0] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
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
    const summary = {
      trainAccuracy: 0.9,
      validationAccuracy,
      testAccuracy: 0.9,
      epochsRun: params.epochs,
      wallSeconds: 1,
    };
    const history = Array.from({ length: params.epochs }, (_, i) => ({
      epoch: i + 1,
      loss: 1 / (i + 1),
      accuracy: 0.5,
      valAccuracy: validationAccuracy,
      learningRate: params.learningRate,
      seconds: 0.5,
    }));
    const dir = `runs/${runId}`;
    await store.put(`${dir}/checkpoint/state.json`, '{}');
    await store.put(`${dir}/model.json`, JSON.stringify({ format: 'layers-model' }));
    await store.put(`${dir}/weights.bin`, Buffer.alloc(16, 1));
    await store.put(`${dir}/confusion-test.csv`, 'a,b\n1,2\n');
    await store.put(`${dir}/curves.png`, greyPng(8, 8));
    await store.put(
      `${dir}/metrics.json`,
      JSON.stringify({ arch: params.arch, ...summary, testLoss: 0.3, history }),
    );
    return {
      runId,
      metrics: summary,
      artifacts: ['metrics.json', 'model.json', 'weights.bin', 'confusion-test.csv', 'curves.png'],
    };
  };
}

/** A stand-in renderer: writes one PNG per item, montage.png and cams.npy, and returns a CamJobResult. */
export function fakeRenderer(store: ArtifactStore) {
  return async (job: Job<CamJob, CamJobResult>): Promise<CamJobResult> => {
    const { batchId, size } = job.data;
    const dir = `cam-batches/${batchId}`;
    const sources = job.data.indices ?? Array.from({ length: job.data.uploads ?? 0 }, (_, i) => i);
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

/** The API started before a test file's tests, with one completed run, and closed after them. */
export function apiWithCompletedRun(): { api: TestApi; runId: string } {
  const context = { api: undefined as unknown as TestApi, runId: '' };
  beforeAll(async () => {
    context.api = await startApi();
    context.runId = await completedRun(context.api);
  });
  afterAll(async () => {
    await context.api.close();
  });
  return context;
}

/** Creates a one-run sweep and completes its run with fakeTrainer; returns the run id (CAM batches need one). */
export async function completedRun(api: TestApi): Promise<string> {
  const created = (await (await api.call('POST', '/v1/sweeps', { name: 'done', epochs: 1 })).json()) as {
    runs: { id: string }[];
  };
  const runId = created.runs[0]!.id;
  const worker = api.worker<TrainingJob, TrainingJobResult>(
    QUEUE_NAMES.training,
    fakeTrainer(api.deps.registry, api.deps.store, 1),
  );
  await waitFor(async () => ((await api.deps.queues.training.getJob(runId))?.finishedOn ? true : undefined));
  await worker.close();
  return runId;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initBackend, train } from '@cam/model';
import {
  camBatchUploadKey,
  newId,
  QUEUE_NAMES,
  redisConnection,
  type CamJob,
  type CamJobResult,
} from '@cam/queue';
import { DirectoryArtifactStore } from '@cam/storage';
import { Queue, QueueEvents } from 'bullmq';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '@cam/cam';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-renderer-${process.pid}-${Date.now()}`;
const artifactsDir = mkdtempSync(join(tmpdir(), 'cam-renderer-test-'));
const store = new DirectoryArtifactStore(artifactsDir);
const runId = newId('run');
const redis = redisConnection(REDIS_URL);
const queue = new Queue<CamJob, CamJobResult>(QUEUE_NAMES.camRender, { connection: redis, prefix });
const events = new QueueEvents(QUEUE_NAMES.camRender, { connection: redisConnection(REDIS_URL), prefix });
const output: string[] = [];
let renderer: ChildProcess;

const request = {
  runId,
  dataset: 'mnist',
  method: 'cam',
  target: 'predicted',
  colormap: 'jet',
  size: 56,
  alpha: 0.5,
} as const;

/** Queues a render job; `uploads` are put where the API puts uploaded PNGs (the store is artifactsDir). */
async function render(
  job: Omit<CamJob, 'batchId'>,
  uploads: Buffer[] = [],
): Promise<{ batchId: string; result: Promise<CamJobResult> }> {
  const batchId = newId('camBatch');
  for (const [i, png] of uploads.entries()) await store.put(camBatchUploadKey(batchId, i), png);
  const added = await queue.add('render', { ...job, batchId }, { jobId: batchId, attempts: 1 });
  return { batchId, result: added.waitUntilFinished(events, 60_000) as Promise<CamJobResult> };
}

beforeAll(async () => {
  // A small trained model in the run folder, as a trainer leaves it.
  await initBackend();
  await train({
    arch: {
      name: 'tiny',
      inputShape: [28, 28, 1],
      convs: [
        { filters: 4, kernelSize: 3 },
        { filters: 8, kernelSize: 3 },
      ],
      classes: 10,
    },
    dataset: 'mnist',
    trainSize: 300,
    testSize: 50,
    epochs: 1,
    batchSize: 50,
    learningRate: 0.01,
    optimizer: 'adam',
    seed: 3,
    outDir: join(artifactsDir, 'runs', runId),
  });
  renderer = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../src/main.ts')], {
    env: {
      ...process.env,
      REDIS_URL,
      BULL_PREFIX: prefix,
      ARTIFACTS_DIR: artifactsDir,
      MODEL_CACHE_SIZE: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [renderer.stdout!, renderer.stderr!])
    stream.on('data', (d: Buffer) => output.push(d.toString()));
  await events.waitUntilReady();
}, 120_000);

afterAll(async () => {
  renderer?.kill('SIGKILL');
  await queue.obliterate({ force: true }).catch(() => undefined);
  await events.close();
  await queue.close();
  redis.disconnect();
  rmSync(artifactsDir, { recursive: true, force: true });
});

describe('renderer worker process', () => {
  it('renders a batch of test digits into cam-batches/<batchId>; its PNGs decode', async () => {
    const { batchId, result } = await render({ ...request, split: 'test', indices: [0, 1, 2, 3] });
    const done = await result;
    const dir = join(artifactsDir, 'cam-batches', batchId);
    expect(done.batchId).toBe(batchId);
    expect(done.items.map((i) => [i.index, i.label])).toEqual([
      [0, 7],
      [1, 2],
      [2, 1],
      [3, 0],
    ]);
    for (const item of done.items) {
      expect(item.target).toBe(item.predicted);
      // The probabilities of the 10 classes, the predicted one the largest.
      const probabilities = item.probabilities ?? [];
      expect(probabilities).toHaveLength(10);
      expect(probabilities.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 4);
      expect(Math.max(...probabilities)).toBe(probabilities[item.predicted]);
      const png = PNG.sync.read(readFileSync(join(dir, item.file)));
      expect([png.width, png.height]).toEqual([56, 56]);
    }
    const montage = PNG.sync.read(readFileSync(join(dir, done.montage)));
    expect(montage.width).toBeGreaterThan(56);
    expect(readFileSync(join(dir, done.npy)).subarray(1, 6).toString()).toBe('NUMPY');
  }, 90_000);

  it('renders uploaded PNGs of any size, numbered by position, and keeps the model loaded', async () => {
    const side = 84;
    const data = new Uint8Array(side * side * 3);
    for (let y = 20; y < 64; y++) data.fill(255, (y * side + 38) * 3, (y * side + 46) * 3); // a vertical stroke: a "1"
    const png = encodePng({ width: side, height: side, data });
    const { result } = await render({ ...request, uploads: 2 }, [png, png]);
    const done = await result;
    expect(done.items.map((i) => [i.index, i.label])).toEqual([
      [0, null],
      [1, null],
    ]);
    expect(output.join('').match(new RegExp(`loading the model of run ${runId}`, 'g'))).toHaveLength(1);
  }, 60_000);

  it('renders a method on an earlier conv layer; fails cam there and an unknown layer with the reason', async () => {
    const { batchId, result } = await render({
      ...request,
      method: 'layercam',
      layer: 'conv_1',
      split: 'test',
      indices: [0, 1],
    });
    const done = await result;
    expect(done.items).toHaveLength(2);
    const manifest = JSON.parse(
      readFileSync(join(artifactsDir, 'cam-batches', batchId, 'manifest.json'), 'utf8'),
    );
    expect(manifest).toMatchObject({ method: 'layercam', layer: 'conv_1' });
    for (const [job, message] of [
      [
        { method: 'cam', layer: 'conv_1' },
        /method 'cam' is defined on the last conv layer only \('conv_2'\)/,
      ],
      [
        { method: 'gradcam', layer: 'conv_7' },
        /layer 'conv_7' is not a conv layer of this model \(one of conv_1, conv_2\)/,
      ],
    ] as const) {
      const bad = await render({ ...request, ...job, split: 'test', indices: [0] });
      await expect(bad.result).rejects.toThrow(message);
      const failed = (await queue.getJob(bad.batchId))!;
      expect(await failed.getState()).toBe('failed');
    }
  }, 60_000);

  it('fails a batch whose run has no model, without retry, and keeps serving', async () => {
    const missing = newId('run');
    const { batchId, result } = await render({ ...request, runId: missing, split: 'test', indices: [0] });
    await expect(result).rejects.toThrow(/model/i);
    const job = (await queue.getJob(batchId))!;
    expect(await job.getState()).toBe('failed');
    const { result: again } = await render({ ...request, split: 'test', indices: [5] });
    expect((await again).items).toHaveLength(1);
  }, 60_000);
});

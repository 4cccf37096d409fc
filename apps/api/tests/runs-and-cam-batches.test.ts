import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import {
  camBatchUploadKey,
  type CamJob,
  type CamJobResult,
  type TrainingJob,
  type TrainingJobResult,
} from '@cam/queue';
import { RENDER_DEFAULTS } from '@cam/recipe';
import { fakeRenderer, fakeTrainer, greyPng } from './fixtures.js';
import { QUEUE_NAMES, startApi, waitFor, type TestApi } from './support.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

interface SseEvent {
  id: string;
  event: string;
  data: unknown;
}

/** Reads a whole Server-Sent Events response (the API ends it after a final state). */
async function readEvents(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('id:'))
    .map((block) => {
      const fields = Object.fromEntries(
        block
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      );
      return {
        id: fields['id'] ?? '',
        event: fields['event'] ?? '',
        data: JSON.parse(fields['data'] ?? 'null') as unknown,
      };
    });
}

describe('runs and CAM batches, with in-process BullMQ workers writing real files', () => {
  let sweepId = '';
  let runIds: string[] = [];

  it('streams progress and state events in order while a run trains, then serves its artifacts', async () => {
    const created = (await (
      await api.call('POST', '/v1/sweeps', {
        name: 'flow',
        arch: { convs: [{ filters: 2, kernelSize: 3 }] },
        epochs: 2,
        grid: { learningRate: [0.001, 0.003] },
      })
    ).json()) as { id: string; runs: { id: string }[] };
    sweepId = created.id;
    runIds = created.runs.map((r) => r.id);

    // 409 while the run has not completed.
    const early = await api.call('POST', '/v1/cam-batches', { runId: runIds[0], indices: [0] });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe('run_not_completed');

    const stream = fetch(`${api.base}/v1/runs/${runIds[0]}/events`);
    await new Promise((r) => setTimeout(r, 150));
    api.worker<TrainingJob, TrainingJobResult>(
      QUEUE_NAMES.training,
      fakeTrainer(api.deps.registry, api.deps.store),
    );
    const res = await stream;
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = await readEvents(res);
    const states = events.filter((e) => e.event === 'state').map((e) => (e.data as { state: string }).state);
    expect(states).toEqual(['queued', 'active', 'completed']);
    const progress = events
      .filter((e) => e.event === 'progress')
      .map((e) => e.data as { epoch: number; step: number });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const order = progress.map((p) => p.epoch * 10 + p.step);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));

    const run = (await (await api.call('GET', `/v1/runs/${runIds[0]}`)).json()) as Record<string, unknown>;
    expect(run).toMatchObject({
      id: runIds[0],
      sweepId,
      state: 'completed',
      progress: { epoch: 2, epochs: 2, step: 3, steps: 3 },
      metrics: { validationAccuracy: 0.6 },
    });
    expect(run['artifacts']).toEqual([
      'confusion-test.csv',
      'curves.png',
      'metrics.json',
      'model.json',
      'weights.bin',
    ]);

    const curves = await api.call('GET', `/v1/runs/${runIds[0]}/artifacts/curves.png`);
    expect(curves.headers.get('content-type')).toBe('image/png');
    expect(PNG.sync.read(Buffer.from(await curves.arrayBuffer())).width).toBe(8);
    const metrics = await api.call('GET', `/v1/runs/${runIds[0]}/artifacts/metrics.json`);
    expect(await metrics.json()).toMatchObject({
      arch: { convs: [{ filters: 2, kernelSize: 3 }] },
      validationAccuracy: 0.6,
      history: [{ epoch: 1 }, { epoch: 2 }],
    });
  });

  it('rejects artifact names that are paths, and 404s missing files', async () => {
    const bad = ['..%2F..%2Fetc%2Fpasswd', 'checkpoint%2Fstate.json', 'a%5Cb', '%00'];
    for (const name of bad) {
      const res = await api.call('GET', `/v1/runs/${runIds[0]}/artifacts/${name}`);
      expect([400, 404], name).toContain(res.status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(
        /invalid_request|not_found/,
      );
    }
    expect((await api.call('GET', `/v1/runs/${runIds[0]}/artifacts/nothing.json`)).status).toBe(404);
    // fetch resolves a bare '..' segment before sending; a raw request sends it as is.
    const raw = await new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(api.base);
      http
        .get({ hostname, port, path: `/v1/runs/${runIds[0]}/artifacts/..` }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(raw).toBe(400);
    expect((await api.call('GET', `/v1/runs/${runIds[0]}/artifacts/..%2Fmetrics.json`)).status).toBe(400);
  });

  it('reports the best run of the sweep by validation accuracy once both completed', async () => {
    const sweep = await waitFor(
      async () => {
        const body = (await (await api.call('GET', `/v1/sweeps/${sweepId}`)).json()) as {
          states: Record<string, number>;
          best: { id: string; validationAccuracy: number } | null;
          runs: { summary: { validationAccuracy: number } | null }[];
        };
        return body.states['completed'] === 2 ? body : undefined;
      },
      20_000,
      'both runs to complete',
    );
    expect(sweep.best).toEqual({ id: runIds[1], validationAccuracy: 0.8 });
    expect(sweep.runs.map((r) => r.summary?.validationAccuracy)).toEqual([0.6, 0.8]);
    // Cancelling a finished sweep leaves completed runs completed.
    const cancelled = (await (await api.call('DELETE', `/v1/sweeps/${sweepId}`)).json()) as {
      states: Record<string, number>;
    };
    expect(cancelled.states['completed']).toBe(2);
  });

  it('streams a sweep as one event per change until every run finished; the list shows states and best', async () => {
    const created = await api.client.createSweep({
      name: 'streamed',
      arch: { convs: [{ filters: 2, kernelSize: 3 }] },
      epochs: 1,
      grid: { learningRate: [0.001, 0.002] },
    });
    const views = [];
    for await (const view of api.client.sweepEvents(created.id)) views.push(view);
    const last = views.at(-1);
    expect(last?.states).toEqual({
      queued: 0,
      active: 0,
      completed: 2,
      stopped: 0,
      failed: 0,
      cancelled: 0,
    });
    expect(last?.best).toEqual({ id: created.runs[1]?.id, validationAccuracy: 0.7 });
    // Each event differs from the one before it (no repeats of an unchanged sweep).
    const texts = views.map((view) => JSON.stringify(view));
    expect(texts.every((text, i) => i === 0 || text !== texts[i - 1])).toBe(true);
    expect(views.length).toBeGreaterThanOrEqual(2);

    const listed = (await api.client.listSweeps({ limit: 1 })).sweeps[0];
    expect(listed).toMatchObject({ id: created.id, states: last?.states, best: last?.best });
    const run = await api.client.getRun(created.runs[0]?.id ?? '');
    expect(run.metrics?.history.map((epoch) => epoch.epoch)).toEqual([1]);
  });

  it('renders a CAM batch of test digits and serves item PNGs, montage and npy', async () => {
    const res = await api.call('POST', '/v1/cam-batches', {
      runId: runIds[1],
      split: 'test',
      indices: [0, 1, 2],
      method: 'gradcam',
      target: 'predicted',
      colormap: 'viridis',
      size: 56,
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const queued = (await (await api.call('GET', `/v1/cam-batches/${id}`)).json()) as Record<string, unknown>;
    expect(queued).toMatchObject({
      id,
      runId: runIds[1],
      state: 'queued',
      settings: {
        method: 'gradcam',
        target: 'predicted',
        colormap: 'viridis',
        size: 56,
        alpha: RENDER_DEFAULTS.alpha,
        split: 'test',
        indices: [0, 1, 2],
      },
      items: [],
      montage: null,
      npy: null,
    });
    const job = await api.deps.queues.camRender.getJob(id);
    expect(job?.data).toMatchObject({
      batchId: id,
      dataset: 'mnist',
      split: 'test',
      method: 'gradcam',
      colormap: 'viridis',
    });

    api.worker<CamJob, CamJobResult>(QUEUE_NAMES.camRender, fakeRenderer(api.deps.store));
    const batch = await waitFor(
      async () => {
        const body = (await (await api.call('GET', `/v1/cam-batches/${id}`)).json()) as {
          state: string;
          items: { index: number; label: number; png: string }[];
          montage: string;
          npy: string;
        };
        return body.state === 'completed' ? body : undefined;
      },
      15_000,
      'the batch to render',
    );
    expect(batch.items.map((i) => [i.index, i.label])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    for (const item of batch.items) {
      const png = await api.call('GET', item.png);
      expect(png.status).toBe(200);
      const decoded = PNG.sync.read(Buffer.from(await png.arrayBuffer()));
      expect([decoded.width, decoded.height]).toEqual([56, 56]);
    }
    const montage = PNG.sync.read(Buffer.from(await (await api.call('GET', batch.montage)).arrayBuffer()));
    expect(montage.width).toBe(168);
    const npy = Buffer.from(await (await api.call('GET', batch.npy)).arrayBuffer());
    expect(npy.subarray(1, 6).toString()).toBe('NUMPY');
    expect((await api.call('GET', `/v1/cam-batches/${id}/files/..%2F..%2Fruns`)).status).toBe(400);
    expect((await api.call('GET', `/v1/cam-batches/${id}/files/missing.png`)).status).toBe(404);
  });

  it('accepts uploaded PNG images of any size and rejects out-of-range indices', async () => {
    const pngs = [greyPng(28, 28), greyPng(100, 60)];
    const images = pngs.map((png) => png.toString('base64'));
    const res = await api.call('POST', '/v1/cam-batches', { runId: runIds[1], images, target: 7 });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    // The PNGs travel in the store, once; the job and the batch's record only count them.
    const job = await api.deps.queues.camRender.getJob(id);
    expect(job?.data).toMatchObject({ uploads: 2, target: 7 });
    expect(job?.data).not.toHaveProperty('images');
    expect(job?.data.split).toBeUndefined();
    expect(await api.deps.registry.getCamBatch(id)).toMatchObject({ uploads: 2, request: { target: 7 } });
    expect(await api.deps.store.get(camBatchUploadKey(id, 1))).toEqual(pngs[1]);

    const range = await api.call('POST', '/v1/cam-batches', {
      runId: runIds[1],
      split: 'test',
      indices: [5, 10_000],
    });
    expect(range.status).toBe(400);
    const body = (await range.json()) as {
      error: { message: string; details: { issues: { path: string }[] } };
    };
    expect(body.error.details.issues[0]?.path).toBe('indices.1');
    expect(body.error.message).toContain('10000');
    const train = await api.call('POST', '/v1/cam-batches', {
      runId: runIds[1],
      split: 'train',
      indices: [59_999],
    });
    expect(train.status).toBe(202);
    expect(
      (await api.call('POST', '/v1/cam-batches', { runId: 'r-000000000000', indices: [0] })).status,
    ).toBe(404);
    expect((await api.call('GET', '/v1/cam-batches/b-000000000000')).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS, type TrainingJob, type TrainingJobResult } from '@cam/queue';
import { fakeTrainer } from './fixtures.js';
import { QUEUE_NAMES, startApi, waitFor, type TestApi } from './support.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

describe('health, readiness, metrics, OpenAPI and the queue dashboard', () => {
  it('/healthz and /readyz answer 200 with Redis up', async () => {
    expect(await (await api.call('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await api.call('GET', '/readyz')).json()).toEqual({ status: 'ready', redis: 'ok' });
  });

  it('/metrics exposes queue depths, job durations and HTTP latency', async () => {
    const created = (await (
      await api.call('POST', '/v1/sweeps', { name: 'm', epochs: 1, grid: { seed: [1, 2, 3] } })
    ).json()) as {
      runs: { id: string }[];
    };
    let text = await (await api.call('GET', '/metrics')).text();
    expect(text).toMatch(/cam_queue_jobs\{queue="training",state="waiting"\} 3/);
    expect(text).toMatch(/cam_queue_jobs\{queue="cam-render",state="waiting"\} 0/);

    api.worker<TrainingJob, TrainingJobResult>(
      QUEUE_NAMES.training,
      fakeTrainer(api.deps.registry, api.deps.store, 5),
    );
    const lastRun = created.runs[2]?.id ?? '';
    await waitFor(async () =>
      (await api.deps.queues.training.getJob(lastRun))?.finishedOn ? true : undefined,
    );
    text = await (await api.call('GET', '/metrics')).text();
    expect(text).toMatch(/cam_queue_jobs\{queue="training",state="completed"\} 3/);
    expect(text).toMatch(/cam_job_duration_seconds_count\{queue="training",status="completed"\} 3/);
    // A second scrape does not count the same jobs again.
    text = await (await api.call('GET', '/metrics')).text();
    expect(text).toMatch(/cam_job_duration_seconds_count\{queue="training",status="completed"\} 3/);
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/v1\/sweeps",status="202"\} 1/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/metrics",status="200"\} 2/,
    );
  });

  it('/v1/openapi.json is an OpenAPI 3.1 document generated from the request schemas', async () => {
    const doc = (await (await api.call('GET', '/v1/openapi.json')).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/healthz',
        '/metrics',
        '/readyz',
        '/v1/cam-batches',
        '/v1/cam-batches/{id}',
        '/v1/cam-batches/{id}/files/{name}',
        '/v1/cam-evaluations',
        '/v1/cam-evaluations/{id}',
        '/v1/cam-evaluations/{id}/files/{name}',
        '/v1/runs/{id}',
        '/v1/runs/{id}/artifacts/{name}',
        '/v1/runs/{id}/cancel',
        '/v1/runs/{id}/events',
        '/v1/sweeps',
        '/v1/sweeps/{id}',
        '/v1/sweeps/{id}/events',
        '/v1/sweeps/{id}/retry',
      ].sort(),
    );
    const sweep = doc.paths['/v1/sweeps']?.['post']?.requestBody?.content['application/json']?.schema as {
      properties: Record<string, { maximum?: number; enum?: string[] }>;
      required: string[];
    };
    expect(sweep.properties['trainSize']?.maximum).toBe(LIMITS.maxTrainSize);
    expect(Object.keys(sweep.properties)).toEqual(
      expect.arrayContaining(['space', 'search', 'scheduler', 'lrSchedule']),
    );
    expect(sweep.required).toEqual(['name']);
    const cam = doc.paths['/v1/cam-batches']?.['post']?.requestBody?.content['application/json']?.schema as {
      properties: Record<string, { enum?: string[]; maximum?: number }>;
    };
    expect(cam.properties['method']?.enum).toContain('gradcam');
    expect(cam.properties['size']?.maximum).toBe(LIMITS.maxCamSize);
    const evaluation = doc.paths['/v1/cam-evaluations']?.['post']?.requestBody?.content['application/json']
      ?.schema as { properties: Record<string, { maximum?: number }> };
    expect(evaluation.properties['count']?.maximum).toBe(LIMITS.maxEvaluationCount);
  });

  it('Bull Board at /admin/queues shows every queue', async () => {
    const page = await api.call('GET', '/admin/queues');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const queues = (await (await api.call('GET', '/admin/queues/api/queues')).json()) as {
      queues: { name: string }[];
    };
    expect(queues.queues.map((q) => q.name).sort()).toEqual(
      [QUEUE_NAMES.camRender, QUEUE_NAMES.camEvaluation, QUEUE_NAMES.training].sort(),
    );
  });
});

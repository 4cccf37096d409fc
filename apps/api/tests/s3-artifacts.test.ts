import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingJob, TrainingJobResult } from '@cam/queue';
import { S3rverProcess } from '@cam/storage/testing';
import { fakeTrainer } from './fixtures.js';
import { QUEUE_NAMES, startApi, waitFor, type TestApi } from './support.js';

let s3: S3rverProcess;
let api: TestApi;

beforeAll(async () => {
  s3 = await S3rverProcess.start('api-test');
  // The API reads the endpoint and credentials from its environment, as a deployed one would.
  Object.assign(process.env, s3.env());
  api = await startApi({ artifactsUrl: `s3://${s3.bucket}/api` });
});
afterAll(async () => {
  await api?.close();
  await s3?.close();
});

describe('the API on an S3 artifact store (s3rver)', () => {
  it('streams files with Content-Length and content type, and answers 503 while the store is down', async () => {
    const created = (await (
      await api.call('POST', '/v1/sweeps', {
        name: 's3',
        arch: 'c2',
        epochs: 1,
        trainSize: 100,
        testSize: 10,
      })
    ).json()) as { runs: { id: string }[] };
    const runId = created.runs[0]!.id;
    api.worker<TrainingJob, TrainingJobResult>(
      QUEUE_NAMES.training,
      fakeTrainer(api.deps.registry, api.deps.store, 1),
    );
    await waitFor(
      async () => {
        const run = (await (await api.call('GET', `/v1/runs/${runId}`)).json()) as { state: string };
        return run.state === 'completed' ? true : undefined;
      },
      20_000,
      'the run to complete',
    );
    const stored = await api.deps.store.get(`runs/${runId}/curves.png`);
    const curves = await api.call('GET', `/v1/runs/${runId}/artifacts/curves.png`);
    expect(curves.status).toBe(200);
    expect(curves.headers.get('content-type')).toBe('image/png');
    expect(curves.headers.get('content-length')).toBe(String(stored.length));
    expect(Buffer.from(await curves.arrayBuffer()).equals(stored)).toBe(true);

    await s3.stop();
    try {
      for (const route of [`/v1/runs/${runId}/artifacts/curves.png`, `/v1/runs/${runId}`]) {
        const down = await api.call('GET', route);
        expect(down.status, route).toBe(503);
        const body = await down.text();
        expect(JSON.parse(body)).toMatchObject({ error: { code: 'service_unavailable' } });
        expect(body).toContain(`s3://${s3.bucket}/api/`);
        expect(body).not.toContain(process.env.AWS_SECRET_ACCESS_KEY!);
      }
    } finally {
      await s3.resume();
    }
    const back = await api.call('GET', `/v1/runs/${runId}/artifacts/curves.png`);
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer()).equals(stored)).toBe(true);
  });
});

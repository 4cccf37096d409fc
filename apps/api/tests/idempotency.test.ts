import { describe, expect, it } from 'vitest';
import { apiWithCompletedRun, greyPng } from './fixtures.js';

const context = apiWithCompletedRun();

interface ErrorBody {
  error: { code: string; message: string; details: { issues?: { path: string }[] } | null };
}

const sweep = (name: string) => ({ name, epochs: 1, grid: { learningRate: [0.001, 0.002] } });
const post = (route: string, body: unknown, key?: string) =>
  context.api.call('POST', route, body, key === undefined ? {} : { 'Idempotency-Key': key });
const trainingJobs = () =>
  context.api.deps.queues.training.getJobCountByTypes('waiting', 'active', 'completed', 'failed');
const renderJobs = () =>
  context.api.deps.queues.camRender.getJobCountByTypes('waiting', 'active', 'completed', 'failed');

describe('Idempotency-Key', () => {
  it('a sequential retry of POST /v1/sweeps gets the first answer again and creates nothing', async () => {
    const before = await trainingJobs();
    const first = await post('/v1/sweeps', sweep('seq'), 'sweep-seq-1');
    const firstBody = await first.text();
    const retry = await post('/v1/sweeps', sweep('seq'), 'sweep-seq-1');
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(await retry.text()).toBe(firstBody);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await trainingJobs()).toBe(before + 2);
    expect(
      (
        (await (await context.api.call('GET', '/v1/sweeps?limit=100')).json()) as {
          sweeps: { name: string }[];
        }
      ).sweeps.filter((s) => s.name === 'seq'),
    ).toHaveLength(1);
  });

  it('ten concurrent requests with one key make one sweep and all get its answer', async () => {
    const before = await trainingJobs();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post('/v1/sweeps', sweep('concurrent'), 'sweep-concurrent-1')),
    );
    const bodies = await Promise.all(answers.map((res) => res.text()));
    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(202));
    expect(new Set(bodies).size).toBe(1);
    expect(await trainingJobs()).toBe(before + 2);
  });

  it('concurrent and sequential retries of POST /v1/cam-batches with uploads make one batch', async () => {
    const before = await renderJobs();
    const body = {
      runId: context.runId,
      images: Array.from({ length: 8 }, () => greyPng(600, 600).toString('base64')),
    };
    const concurrent = await Promise.all(
      Array.from({ length: 4 }, () => post('/v1/cam-batches', body, 'batch-1')),
    );
    const sequential = await post('/v1/cam-batches', body, 'batch-1');
    const ids = await Promise.all(
      [...concurrent, sequential].map(async (res) => ((await res.json()) as { id: string }).id),
    );
    expect(new Set(ids).size).toBe(1);
    expect([...concurrent, sequential].map((res) => res.status)).toEqual(Array(5).fill(202));
    expect(await renderJobs()).toBe(before + 1);
  });

  it('without the header, two identical requests make two sweeps', async () => {
    const before = await trainingJobs();
    await post('/v1/sweeps', sweep('plain'));
    await post('/v1/sweeps', sweep('plain'));
    expect(await trainingJobs()).toBe(before + 4);
  });

  it('the same key with another body is a 422 naming the header, and creates nothing', async () => {
    expect((await post('/v1/sweeps', sweep('a'), 'reused-key')).status).toBe(202);
    const before = await trainingJobs();
    const res = await post('/v1/sweeps', sweep('b'), 'reused-key');
    expect(res.status).toBe(422);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.code).toBe('idempotency_key_reused');
    expect(error.message).toMatch(/^Idempotency-Key: /);
    expect(error.details?.issues?.map((i) => i.path)).toEqual(['Idempotency-Key']);
    // ... and on another route.
    expect((await post('/v1/cam-batches', { runId: context.runId, indices: [0] }, 'reused-key')).status).toBe(
      422,
    );
    expect(await trainingJobs()).toBe(before);
  });

  it('a 4xx answer is kept too; a malformed key is a 400 naming the header', async () => {
    const bad = { name: 'x', epochs: 0 };
    const first = await post('/v1/sweeps', bad, 'bad-request-key');
    const retry = await post('/v1/sweeps', bad, 'bad-request-key');
    expect([first.status, retry.status]).toEqual([400, 400]);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    for (const key of ['', 'with space', 'x'.repeat(256)]) {
      const res = await post('/v1/sweeps', sweep('k'), key);
      expect(res.status, JSON.stringify(key)).toBe(400);
      expect(((await res.json()) as ErrorBody).error.message).toMatch(/^Idempotency-Key: /);
    }
  });
});

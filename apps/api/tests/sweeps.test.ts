import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './support.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

const EXAMPLE = {
  name: 'lr',
  dataset: 'mnist',
  arch: 'c3',
  trainSize: 6000,
  testSize: 1000,
  epochs: 2,
  batchSize: 128,
  learningRate: 0.001,
  seed: 1,
  grid: { learningRate: [0.001, 0.003] },
};

describe('sweeps (no workers: runs stay queued)', () => {
  it('POST /v1/sweeps queues one training job per grid combination', async () => {
    const res = await api.call('POST', '/v1/sweeps', EXAMPLE);
    expect(res.status).toBe(202);
    const body = (await res.json()) as {
      id: string;
      runs: { id: string; params: { learningRate: number } }[];
    };
    expect(res.headers.get('location')).toBe(`/v1/sweeps/${body.id}`);
    expect(body.runs.map((r) => r.params.learningRate)).toEqual([0.001, 0.003]);
    const jobs = await api.deps.queues.training.getJobs(['waiting']);
    expect(jobs.map((j) => j.id).sort()).toEqual(body.runs.map((r) => r.id).sort());
    expect(jobs[0]?.data.sweepId).toBe(body.id);
    expect(jobs[0]?.opts.attempts).toBe(3);
  });

  it('GET /v1/sweeps lists sweeps newest first with paging', async () => {
    const second = (await (await api.call('POST', '/v1/sweeps', { name: 'second' })).json()) as {
      id: string;
    };
    const all = (await (await api.call('GET', '/v1/sweeps')).json()) as {
      sweeps: { id: string; name: string }[];
      total: number;
    };
    expect(all.total).toBe(2);
    expect(all.sweeps.map((s) => s.name)).toEqual(['second', 'lr']);
    const page = (await (await api.call('GET', '/v1/sweeps?offset=1&limit=1')).json()) as {
      sweeps: { name: string }[];
    };
    expect(page.sweeps.map((s) => s.name)).toEqual(['lr']);
    expect(all.sweeps[0]?.id).toBe(second.id);
    expect((await api.call('GET', '/v1/sweeps?limit=1000')).status).toBe(400);
  });

  it('GET /v1/sweeps/:id shows runs queued with no progress and no best run yet', async () => {
    const created = (await (await api.call('POST', '/v1/sweeps', { ...EXAMPLE, name: 'view' })).json()) as {
      id: string;
    };
    const res = await api.call('GET', `/v1/sweeps/${created.id}`);
    expect(res.status).toBe(200);
    const sweep = (await res.json()) as Record<string, unknown> & {
      runs: { state: string; progress: unknown }[];
    };
    expect(sweep).toMatchObject({
      id: created.id,
      name: 'view',
      best: null,
      states: { queued: 2, active: 0 },
    });
    expect(sweep.runs.map((r) => [r.state, r.progress])).toEqual([
      ['queued', null],
      ['queued', null],
    ]);
    const run = (await (
      await api.call('GET', `/v1/runs/${(sweep.runs[0] as unknown as { id: string }).id}`)
    ).json()) as Record<string, unknown>;
    expect(run).toMatchObject({ sweepId: created.id, state: 'queued', metrics: null, artifacts: [] });
  });

  it('DELETE /v1/sweeps/:id cancels queued runs and removes their jobs', async () => {
    const created = (await (await api.call('POST', '/v1/sweeps', { ...EXAMPLE, name: 'cancel' })).json()) as {
      id: string;
      runs: { id: string }[];
    };
    const res = await api.call('DELETE', `/v1/sweeps/${created.id}`);
    expect(res.status).toBe(200);
    const sweep = (await res.json()) as { states: Record<string, number>; runs: { state: string }[] };
    expect(sweep.states).toMatchObject({ cancelled: 2, queued: 0 });
    for (const run of created.runs) {
      expect(await api.deps.queues.training.getJob(run.id)).toBeUndefined();
      expect(await api.deps.registry.isCancelled(run.id)).toBe(true);
    }
    const again = (await (await api.call('GET', `/v1/sweeps/${created.id}`)).json()) as {
      states: Record<string, number>;
    };
    expect(again.states.cancelled).toBe(2);
  });

  it('404 for unknown or malformed sweep ids', async () => {
    for (const route of ['/v1/sweeps/s-000000000000', '/v1/sweeps/nope', '/v1/runs/r-000000000000']) {
      const res = await api.call('GET', route);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    expect((await api.call('DELETE', '/v1/sweeps/s-000000000000')).status).toBe(404);
  });
});

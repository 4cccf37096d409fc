import { UnrecoverableError, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingJob, TrainingJobResult } from '@cam/queue';
import { startApi, QUEUE_NAMES, waitFor, type TestApi } from './support.js';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api.close();
});

describe('DELETE /v1/sweeps/:id with an active run', () => {
  it('the worker sees the cancelled flag, stops, and the run reports cancelled without a retry', async () => {
    const attempts: string[] = [];
    // A worker that trains "forever" until the registry's cancellation signal fires, as the trainer does.
    api.worker<TrainingJob, TrainingJobResult>(QUEUE_NAMES.training, async (job: Job<TrainingJob>) => {
      attempts.push(job.data.runId);
      const watch = api.deps.registry.watchCancellation(job.data.runId, 25);
      try {
        await new Promise<void>((resolve) => watch.signal.addEventListener('abort', () => resolve()));
        throw new UnrecoverableError(`run ${job.data.runId} cancelled`);
      } finally {
        watch.stop();
      }
    });
    const created = (await (
      await api.call('POST', '/v1/sweeps', { name: 'stop', grid: { seed: [1, 2] } })
    ).json()) as {
      id: string;
      runs: { id: string }[];
    };
    const [active, waiting] = created.runs.map((r) => r.id);
    await waitFor(async () =>
      (await api.deps.queues.training.getJob(active ?? ''))?.processedOn ? true : undefined,
    );
    const before = (await (await api.call('GET', `/v1/sweeps/${created.id}`)).json()) as {
      states: Record<string, number>;
    };
    expect(before.states).toMatchObject({ active: 1, queued: 1 });

    const res = await api.call('DELETE', `/v1/sweeps/${created.id}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { states: Record<string, number> }).states['cancelled']).toBe(2);
    // Generous: under a loaded CI machine (projects tested in parallel) the worker's 25 ms poll can lag.
    await waitFor(
      async () => ((await api.deps.queues.training.getJob(active ?? ''))?.finishedOn ? true : undefined),
      60_000,
      'the cancelled job to finish',
    );
    const job = await api.deps.queues.training.getJob(active ?? '');
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    // The waiting run is removed, unless the worker picked it up in between (then its flag stops it).
    const second = await api.deps.queues.training.getJob(waiting ?? '');
    if (second !== undefined)
      await waitFor(async () => ((await second.getState()) === 'failed' ? true : undefined));
    expect(attempts[0]).toBe(active);
    for (const id of [active, waiting]) {
      const run = (await (await api.call('GET', `/v1/runs/${id}`)).json()) as { state: string };
      expect(run.state).toBe('cancelled');
    }
  });
});

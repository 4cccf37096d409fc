import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_RUN } from '@cam/queue/testing';
import { startApi, waitFor, type TestApi } from './support.js';

// Real trainer processes on the API's queues: random search, ASHA, per-run cancel and sweep retry end to end.
const TRAINER_MAIN = path.resolve(import.meta.dirname, '../../trainer/src/main.ts');
interface Sweep {
  id: string;
  states: Record<string, number>;
  runs: {
    id: string;
    state: string;
    params: { learningRate: number; epochs: number };
    history: { epoch: number }[];
    stoppedAtEpoch: number | null;
  }[];
  rungs:
    | { epoch: number; cutoff: number | null; entries: { runId: string; action: string; order: number }[] }[]
    | null;
}

let api: TestApi;
const output: string[] = [];
const trainers: ChildProcess[] = [];

function startTrainer(name: string): void {
  const child = spawn(process.execPath, ['--import', 'tsx', TRAINER_MAIN], {
    env: {
      ...process.env,
      REDIS_URL: api.redisUrl,
      BULL_PREFIX: api.prefix,
      CAM_REGISTRY_PREFIX: `${api.prefix}-registry`,
      ARTIFACTS_DIR: api.artifactsDir,
      TRAIN_THREADS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => output.push(`[${name}] ${line}`));
  trainers.push(child);
}

async function get<T>(route: string): Promise<T> {
  return (await (await api.call('GET', route)).json()) as T;
}

const finished = (state: string) => ['completed', 'stopped', 'failed', 'cancelled'].includes(state);

beforeAll(async () => {
  api = await startApi();
  startTrainer('t1');
});
afterAll(async () => {
  for (const child of trainers) child.kill('SIGKILL');
  await api.close();
});

describe('random search with ASHA through the API, real trainer', () => {
  it('samples the seeded space, stops runs at rungs, and shows histories, the rung table and epoch events', async () => {
    const request = {
      name: 'asha',
      ...TINY_RUN,
      epochs: 3,
      space: { learningRate: { loguniform: [1e-5, 3e-2] } },
      search: { algorithm: 'random', samples: 3, seed: 2 },
      scheduler: { type: 'asha', gracePeriod: 1, reductionFactor: 2 },
    };
    type Created = { id: string; runs: { id: string; params: { learningRate: number } }[] };
    const created = (await (await api.call('POST', '/v1/sweeps', request)).json()) as Created;
    const again = (await (await api.call('POST', '/v1/sweeps', request)).json()) as Created;
    await api.call('DELETE', `/v1/sweeps/${again.id}`);
    const rates = (body: Created) => body.runs.map((r) => r.params.learningRate);
    expect(rates(again)).toEqual(rates(created)); // same request and seed, same runs
    expect(new Set(rates(created)).size).toBe(3);

    const firstRun = created.runs[0]!.id;
    const events = api.call('GET', `/v1/runs/${firstRun}/events`).then((res) => res.text());
    const sweep = await waitFor(
      async () => {
        const s = await get<Sweep>(`/v1/sweeps/${created.id}`);
        return s.runs.every((r) => finished(r.state)) ? s : undefined;
      },
      240_000,
      `the sweep to finish\n${output.join('\n')}`,
    );
    expect(sweep.rungs?.map((r) => r.epoch)).toEqual([1, 2]);
    const rung1 = sweep.rungs![0]!;
    expect(rung1.entries.map((e) => e.order)).toEqual([0, 1, 2]);
    expect(rung1.entries[0]!.action).toBe('continue');
    const stoppedAt = new Map<string, number>();
    for (const rung of sweep.rungs!)
      for (const e of rung.entries) if (e.action === 'stop') stoppedAt.set(e.runId, rung.epoch);
    for (const run of sweep.runs) {
      const epochs = stoppedAt.get(run.id) ?? 3;
      expect(run.state).toBe(stoppedAt.has(run.id) ? 'stopped' : 'completed');
      expect(run.stoppedAtEpoch).toBe(stoppedAt.get(run.id) ?? null);
      expect(run.history.map((h) => h.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
      const detail = await get<{ state: string; history: unknown[]; artifacts: string[] }>(
        `/v1/runs/${run.id}`,
      );
      expect(detail.state).toBe(run.state);
      expect(detail.history).toEqual(run.history);
      expect(detail.artifacts).toEqual(expect.arrayContaining(['model.json', 'metrics.json']));
    }
    expect(sweep.states['stopped']).toBe(stoppedAt.size);
    const text = await events;
    const epochEvents = text.split('\n').filter((line) => line === 'event: epoch');
    expect(epochEvents).toHaveLength(sweep.runs[0]!.history.length);

    // A stopped run has a model: CAMs can be rendered from it (queued, not refused).
    const anyRun = [...stoppedAt.keys()][0] ?? firstRun;
    const cam = await api.call('POST', '/v1/cam-batches', { runId: anyRun, split: 'test', indices: [0] });
    expect(cam.status).toBe(202);
  }, 300_000);
});

describe('per-run cancel and sweep retry, real trainer', () => {
  const EPOCHS = 20;
  it('cancels one run mid-training, then the retry resumes it from its checkpoint to the end', async () => {
    const created =
      (await // Enough epochs that the run cannot finish within the trainer's one-second cancellation poll after
      // epoch 1 (a tiny epoch takes a fraction of a second on the oneDNN kernels).
      (
        await api.call('POST', '/v1/sweeps', {
          name: 'retry',
          ...TINY_RUN,
          epochs: EPOCHS,
          learningRate: 0.01,
        })
      ).json()) as { id: string; runs: { id: string }[] };
    const runId = created.runs[0]!.id;
    await waitFor(
      async () =>
        (await get<{ history: unknown[] }>(`/v1/runs/${runId}`)).history.length >= 1 ? true : undefined,
      120_000,
      `epoch 1\n${output.join('\n')}`,
    );
    const cancelled = await api.call('POST', `/v1/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { state: string }).state).toBe('cancelled');
    const job = await waitFor(async () => {
      const j = await api.deps.queues.training.getJob(runId);
      return j?.finishedOn ? j : undefined;
    }, 60_000);
    expect(await job.getState()).toBe('failed');
    const partial = await get<{ state: string; history: unknown[] }>(`/v1/runs/${runId}`);
    expect(partial.state).toBe('cancelled');
    expect(partial.history.length).toBeLessThan(EPOCHS);
    expect(existsSync(path.join(api.artifactsDir, 'runs', runId, 'checkpoint'))).toBe(true);

    const retry = await api.call('POST', `/v1/sweeps/${created.id}/retry`);
    expect(retry.status).toBe(202);
    expect(await retry.json()).toEqual({ id: created.id, retried: [runId], busy: [] });
    const done = await waitFor(
      async () => {
        const run = await get<{
          state: string;
          history: { epoch: number }[];
          metrics: { epochsRun: number };
        }>(`/v1/runs/${runId}`);
        return finished(run.state) ? run : undefined;
      },
      120_000,
      `the retried run\n${output.join('\n')}`,
    );
    expect(done.state).toBe('completed');
    expect(done.history.map((h) => h.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(done.metrics.epochsRun).toBe(EPOCHS);
    expect(output.some((line) => line.includes(`run ${runId}: resuming from`))).toBe(true);

    // Finished runs cannot be cancelled; a sweep with nothing failed retries nothing.
    expect((await api.call('POST', `/v1/runs/${runId}/cancel`)).status).toBe(409);
    expect(await (await api.call('POST', `/v1/sweeps/${created.id}/retry`)).json()).toMatchObject({
      retried: [],
    });
    expect((await api.call('POST', '/v1/runs/r-000000000000/cancel')).status).toBe(404);
  }, 300_000);
});

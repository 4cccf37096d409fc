import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingJob, TrainingJobResult } from '@cam/queue';
import { createApp, createDeps } from '../src/index.js';
import { fakeTrainer } from './fixtures.js';
import { QUEUE_NAMES, startApi, waitFor, type TestApi } from './support.js';

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  return port;
}

/** A redis-server of this test's own (never the shared one), with an append-only file in `dir`. */
async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--save', '', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  await waitFor(
    () =>
      new Promise<true | undefined>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(undefined));
      }),
    10_000,
    `redis-server on port ${port}`,
  );
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

let dir: string;
let port: number;
let redis: ChildProcess;
let api: TestApi;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cam-redis-'));
  port = await freePort();
  redis = await startRedis(port, dir);
  api = await startApi({ redisUrl: `redis://127.0.0.1:${port}`, redisTimeoutMs: 1000 });
});
afterAll(async () => {
  await api?.close();
  if (redis) await stopRedis(redis);
  await rm(dir, { recursive: true, force: true });
});

describe('a Redis restart during a sweep', () => {
  it('answers 503 while Redis is down, recovers, and loses no queued job', async () => {
    const created = (await (
      await api.call('POST', '/v1/sweeps', { name: 'survive', grid: { seed: [1, 2, 3] } })
    ).json()) as { id: string; runs: { id: string }[] };
    expect(created.runs).toHaveLength(3);

    await stopRedis(redis);
    await waitFor(
      async () => (api.deps.redis.status !== 'ready' ? true : undefined),
      5000,
      'the API to see Redis go',
    );
    const down: [string, string, unknown?][] = [
      ['GET', '/readyz'],
      ['GET', '/v1/sweeps'],
      ['GET', `/v1/sweeps/${created.id}`],
      ['GET', `/v1/runs/${created.runs[0]?.id}`],
      ['POST', '/v1/sweeps', { name: 'while-down' }],
      ['DELETE', `/v1/sweeps/${created.id}`],
      ['POST', '/v1/cam-batches', { runId: created.runs[0]?.id, indices: [0] }],
      ['GET', '/admin/queues'],
    ];
    for (const [method, route, body] of down) {
      const started = Date.now();
      const res = await api.call(method, route, body);
      expect(res.status, `${method} ${route}`).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
      expect(Date.now() - started).toBeLessThan(3000);
    }
    // Input errors are still reported as such, and the process is alive.
    expect((await api.call('POST', '/v1/sweeps', '{bad json')).status).toBe(400);
    expect((await api.call('GET', '/healthz')).status).toBe(200);
    expect((await api.call('GET', '/metrics')).status).toBe(200);

    redis = await startRedis(port, dir);
    await waitFor(
      async () => ((await api.call('GET', '/readyz')).status === 200 ? true : undefined),
      15_000,
      'readiness',
    );

    const sweep = (await (await api.call('GET', `/v1/sweeps/${created.id}`)).json()) as {
      states: Record<string, number>;
      runs: { id: string }[];
    };
    expect(sweep.states['queued']).toBe(3);
    const waiting = await api.deps.queues.training.getJobs(['waiting']);
    expect(waiting.map((j) => j.id).sort()).toEqual(created.runs.map((r) => r.id).sort());
    // The cancelled DELETE while down did not half-happen.
    for (const run of created.runs) expect(await api.deps.registry.isCancelled(run.id)).toBe(false);
    expect((await api.call('POST', '/v1/sweeps', { name: 'after' })).status).toBe(202);
    expect(((await (await api.call('GET', '/v1/sweeps')).json()) as { total: number }).total).toBe(2);

    // The jobs that waited through the restart are still runnable: a worker completes all of them.
    api.worker<TrainingJob, TrainingJobResult>(
      QUEUE_NAMES.training,
      fakeTrainer(api.deps.registry, api.deps.store, 1),
    );
    await waitFor(
      async () => {
        const view = (await (await api.call('GET', `/v1/sweeps/${created.id}`)).json()) as {
          states: Record<string, number>;
        };
        return view.states['completed'] === 3 ? true : undefined;
      },
      20_000,
      'the sweep to complete after the restart',
    );
  });
});

describe('an API started while Redis is down', () => {
  it('answers 503, then serves once Redis comes up', async () => {
    const lonePort = await freePort();
    const loneDir = await mkdtemp(path.join(tmpdir(), 'cam-redis-late-'));
    const deps = createDeps({
      redisUrl: `redis://127.0.0.1:${lonePort}`,
      bullPrefix: 'test-api-late',
      registryPrefix: 'test-api-late-registry',
      artifactsUrl: loneDir,
    });
    const server = createApp(deps, { apiToken: '', redisTimeoutMs: 1000 }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    let late: ChildProcess | undefined;
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      expect((await fetch(`${base}/v1/sweeps`)).status).toBe(503);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      late = await startRedis(lonePort, loneDir);
      await waitFor(
        async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
        15_000,
        'readiness',
      );
      const res = await fetch(`${base}/v1/sweeps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'late' }),
      });
      expect(res.status).toBe(202);
      expect(await deps.queues.training.getJobCounts('waiting')).toEqual({ waiting: 1 });
    } finally {
      server.closeAllConnections();
      server.close();
      await deps.close();
      if (late) await stopRedis(late);
      await rm(loneDir, { recursive: true, force: true });
    }
  });
});

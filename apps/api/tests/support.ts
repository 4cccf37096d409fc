import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { ApiClient } from '@cam/contracts';
import { QUEUE_NAMES, type QueueName } from '@cam/queue';
import { createApp, createDeps, type ApiDeps, type AppOptions } from '../src/index.js';

export interface TestApi {
  base: string;
  deps: ApiDeps;
  prefix: string;
  redisUrl: string;
  artifactsDir: string;
  /** The typed client of @cam/contracts against this API. */
  client: ApiClient;
  /** fetch against the API with the JSON content type and (optionally) a bearer token. */
  call(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** A real BullMQ worker in this process on one of the API's queues, closed by close(). */
  worker<T, R>(queue: QueueName, processor: Processor<T, R>): Worker<T, R>;
  close(): Promise<void>;
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** The API on an ephemeral port, on real Redis with its own key prefixes and a temporary artifacts folder. */
export async function startApi(
  options: AppOptions & { redisUrl?: string; artifactsUrl?: string } = {},
): Promise<TestApi> {
  const prefix = `test-api-${randomBytes(4).toString('hex')}`;
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const artifactsDir = await mkdtemp(path.join(tmpdir(), 'cam-api-'));
  const deps = createDeps({
    redisUrl,
    bullPrefix: prefix,
    registryPrefix: `${prefix}-registry`,
    artifactsUrl: options.artifactsUrl ?? artifactsDir,
  });
  await deps.queues.training.waitUntilReady();
  const app = createApp(deps, { apiToken: '', redisTimeoutMs: 1500, events: { intervalMs: 50 }, ...options });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const workers: Worker[] = [];
  const url = new URL(redisUrl);
  return {
    base,
    deps,
    prefix,
    redisUrl,
    artifactsDir,
    client: new ApiClient(base, options.apiToken ? { token: options.apiToken } : {}),
    call(method, route, body, headers = {}) {
      return fetch(`${base}${route}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    worker<T, R>(queue: QueueName, processor: Processor<T, R>) {
      const worker = new Worker<T, R>(queue, processor, {
        connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null },
        prefix,
        concurrency: 1,
      });
      worker.on('error', () => undefined);
      workers.push(worker as unknown as Worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      server.closeAllConnections();
      server.close();
      if (deps.redis.status === 'ready') await deleteKeys(deps.redis, `${prefix}*`);
      await deps.close();
      await rm(artifactsDir, { recursive: true, force: true });
    },
  };
}

export { QUEUE_NAMES };

/** Polls `check` until it returns a value other than undefined. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { IdempotencyStore, redisConnection } from '@cam/queue';
import { idempotent } from '../src/middleware/idempotency.js';
import { errorHandler } from '../src/middleware/error-handler.js';
import { redisHandler } from '../src/services/deadline.js';

const redis = redisConnection();
const store = new IdempotencyStore(redis, { prefix: `test-idem-deadline-${process.pid}-${Date.now()}` });

/**
 * The API's idempotency and deadline middleware around a creating handler that outlasts its 300 ms deadline (as
 * one does when Redis stalls mid-request): it creates its record after 800 ms, then answers, or it fails.
 */
async function slowCreator(outcome: 'creates' | 'fails') {
  const created: string[] = [];
  const app = express();
  app.post(
    '/things',
    express.json(),
    idempotent(store, { pollMs: 20 }),
    redisHandler(
      redis,
      300,
    )(async (req, res) => {
      await new Promise((r) => setTimeout(r, 800));
      if (outcome === 'fails') throw new Error('the queue refused the job');
      const id = `thing-${created.length + 1}`;
      created.push(id);
      res
        .status(202)
        .location(`/things/${id}`)
        .json({ id, name: (req.body as { name: string }).name });
    }),
  );
  app.use(errorHandler);
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (key: string) =>
    fetch(`${base}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ name: 'sweep' }),
    });
  return { created, post, close: () => new Promise((r) => server.close(r)) };
}

afterAll(async () => {
  redis.disconnect();
});

describe('Idempotency-Key when the first request timed out with a 503', () => {
  it('keeps the key until the late work ends: the retry gets its answer, and nothing is created twice', async () => {
    const api = await slowCreator('creates');
    try {
      const first = await api.post('late-1');
      expect(first.status).toBe(503);
      expect(api.created).toEqual([]);
      // Retried at once, while the first request's work still runs: it waits for that work's answer.
      const retry = await api.post('late-1');
      expect(retry.status).toBe(202);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.headers.get('location')).toBe('/things/thing-1');
      expect(await retry.json()).toEqual({ id: 'thing-1', name: 'sweep' });
      expect(api.created).toEqual(['thing-1']);
    } finally {
      await api.close();
    }
  });

  it('frees the key once the late work has failed, so that a retry does the work', async () => {
    const api = await slowCreator('fails');
    try {
      expect((await api.post('late-2')).status).toBe(503);
      // The retry waits for the failed work to end, then claims the key and runs (and fails) itself.
      const retry = await api.post('late-2');
      expect(retry.status).toBe(503);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
    } finally {
      await api.close();
    }
  });
});

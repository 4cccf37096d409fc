import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

const script = resolve(import.meta.dirname, '../../../infra/docker/worker-health.mjs');
const prefix = `test-health-${process.pid}-${Date.now()}`;

function healthCheck(queue: string): Promise<number> {
  return new Promise((done) => {
    const env = { ...process.env, BULL_PREFIX: prefix, REDIS_URL: 'redis://127.0.0.1:6379' };
    execFile(process.execPath, [script, queue], { env }, (err) => done(err ? Number(err.code ?? 1) : 0));
  });
}

describe('infra/docker/worker-health.mjs (the workers’ HEALTHCHECK)', () => {
  it('is healthy only while a worker named after the hostname serves that queue', async () => {
    const connection = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    const worker = new Worker('training', async () => undefined, { connection, prefix, name: hostname() });
    await worker.waitUntilReady();
    try {
      expect(await healthCheck('training')).toBe(0);
      expect(await healthCheck('cam-render')).toBe(1);
    } finally {
      await worker.close();
      connection.disconnect();
    }
    expect(await healthCheck('training')).toBe(1);
  }, 30_000);
});

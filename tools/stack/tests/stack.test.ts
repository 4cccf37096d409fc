import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/redis.js';
import { startStack } from '../src/stack.js';

const artifactsDir = mkdtempSync(join(tmpdir(), 'cam-stack-test-'));
const prefix = `test-stack-${process.pid}-${Date.now()}`;
const env = { BULL_PREFIX: prefix, CAM_REGISTRY_PREFIX: `${prefix}-registry` };
const redis = { redisUrl: 'redis://127.0.0.1:6379' };
afterAll(() => rmSync(artifactsDir, { recursive: true, force: true }));

describe('startStack', () => {
  it('runs the API, a trainer and a renderer as processes, answers on the port, and stops them all', async () => {
    const lines: string[] = [];
    const stack = await startStack({
      port: await freePort(),
      trainers: 1,
      renderers: 1,
      artifactsDir,
      redis,
      env,
      buildDashboard: false,
      supervisor: { onLine: (name, line) => lines.push(`${name}: ${line}`), graceMs: 10_000 },
    });
    try {
      expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${stack.apiUrl}/readyz`)).status).toBe(200);
      expect([...stack.supervisor.children.keys()].sort()).toEqual(['api', 'renderer-1', 'trainer-1']);
    } finally {
      const children = [...stack.supervisor.children.values()];
      await stack.stop();
      expect(children.every((c) => c.exitCode !== null || c.signalCode !== null)).toBe(true);
    }
    await expect(fetch(`${stack.apiUrl}/healthz`)).rejects.toThrow();
  }, 120_000);

  it('fails with the reason and leaves no process behind when the API cannot listen', async () => {
    // On every address, as the API listens: its own listen then fails with EADDRINUSE.
    const busy = createServer().listen(0);
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as { port: number }).port;
    const children: unknown[] = [];
    try {
      const attempt = startStack({
        port,
        trainers: 0,
        renderers: 0,
        artifactsDir,
        redis,
        env,
        buildDashboard: false,
        readyTimeoutMs: 30_000,
        supervisor: { onLine: () => undefined, onExit: (name) => children.push(name) },
      });
      await expect(attempt).rejects.toThrow(/API exited before/);
      expect(children).toEqual(['api']);
    } finally {
      busy.close();
    }
  }, 120_000);

  it('rejects a negative worker count before starting anything', async () => {
    await expect(startStack({ trainers: -1, redis })).rejects.toThrow(
      'trainers must be a whole number >= 0, got -1',
    );
  });
});

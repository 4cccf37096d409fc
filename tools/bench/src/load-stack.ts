import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { redisConnection } from '@cam/queue';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** The real API (and, for a moment, a real trainer) on this machine, on Redis under keys of its own. */
export interface LoadStack {
  base: string;
  /** Starts a trainer process; resolves once it has exited after `stop`. */
  trainer(): { stop(): Promise<void> };
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function start(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export async function startLoadStack(redisUrl: string): Promise<LoadStack> {
  const prefix = `bench-load-${randomBytes(4).toString('hex')}`;
  const artifactsDir = mkdtempSync(join(tmpdir(), 'cam-bench-load-'));
  const port = await freePort();
  const env = {
    REDIS_URL: redisUrl,
    BULL_PREFIX: prefix,
    CAM_REGISTRY_PREFIX: `${prefix}-registry`,
    ARTIFACTS_DIR: artifactsDir,
    PORT: String(port),
    TRAIN_THREADS: '1',
  };
  const api = start('apps/api/src/main.ts', env);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || api.exitCode !== null)
      throw new Error('the API did not become ready in 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    trainer() {
      const child = start('apps/trainer/src/main.ts', env);
      return { stop: () => stopChild(child) };
    },
    async close() {
      await stopChild(api);
      const redis = redisConnection(redisUrl);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
      rmSync(artifactsDir, { recursive: true, force: true });
    },
  };
}

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/redis.js';
import { REPO_ROOT } from '../src/stack.js';

const artifactsDir = mkdtempSync(join(tmpdir(), 'cam-stack-port-'));
const prefix = `test-port-${process.pid}-${Date.now()}`;
afterAll(() => rmSync(artifactsDir, { recursive: true, force: true }));

/** `npm start` as a process (no workers, to keep it light), with its output collected. */
function npmStart(port: number): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tools/stack/src/start.ts', '--port', String(port)],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        REDIS_URL: 'redis://127.0.0.1:6379',
        BULL_PREFIX: prefix,
        CAM_REGISTRY_PREFIX: `${prefix}-registry`,
        TRAINERS: '0',
        RENDERERS: '0',
        ARTIFACTS_DIR: artifactsDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The line `npm start` prints once its API listens and answers. */
const STACK_READY = /\[stack\] dashboard http:\/\/\S+ \(API http/;

describe('npm start on a port another stack holds', () => {
  it('stops everything and exits non-zero, never saying the API is listening; the first stack keeps serving', async () => {
    const port = await freePort();
    const first = npmStart(port);
    try {
      await waitFor(() => STACK_READY.test(first.output()), 90_000, 'the first stack');
      expect(first.output()).toMatch(/\[api\] cam api listening on http:\/\/127\.0\.0\.1:/);

      const second = npmStart(port);
      const code = await Promise.race([
        second.exit,
        new Promise<'hung'>((r) => setTimeout(() => r('hung'), 90_000)),
      ]);
      if (code === 'hung') second.child.kill('SIGKILL');
      expect(code).toBe(1);
      expect(second.output()).toMatch(`cannot listen on port ${port}: listen EADDRINUSE`);
      expect(second.output()).toMatch(/the API exited before/);
      expect(second.output()).not.toMatch(/listening on/);
      expect(second.output()).not.toMatch(STACK_READY);

      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exit).toBe(0);
    }
  }, 240_000);

  it('stops everything and exits non-zero when the API dies after start', async () => {
    const stack = npmStart(await freePort());
    try {
      await waitFor(() => STACK_READY.test(stack.output()), 90_000, 'the stack');
      const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(stack.child.pid)], {
        encoding: 'utf8',
      });
      const api = children.split('\n').find((line) => line.includes('apps/api/src/main.ts'));
      expect(api).toBeDefined();
      process.kill(Number(api!.trim().split(/\s+/)[0]), 'SIGKILL');
      expect(await stack.exit).toBe(1);
      expect(stack.output()).toMatch('[stack] the API exited (SIGKILL): stopping everything');
    } finally {
      stack.child.kill('SIGTERM');
    }
  }, 240_000);
});

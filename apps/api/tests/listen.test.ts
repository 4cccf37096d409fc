import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Runs the API's main on `port` until it exits or prints `until`; then SIGTERMs it. */
function runMain(port: number, until: RegExp): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, PORT: String(port), REDIS_URL: 'redis://127.0.0.1:6379' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (d: Buffer) => {
      output += d;
      if (until.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the API process', () => {
  it('says it is listening only once it is, and closes on SIGTERM with 0', async () => {
    const probe = createServer().listen(0);
    await new Promise((r) => probe.once('listening', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const { code, output } = await runMain(port, /listening on/);
    expect(output).toMatch(`cam api listening on http://127.0.0.1:${port}`);
    expect(output).toMatch('cam api: SIGTERM: closing');
    expect(code).toBe(0);
  }, 60_000);

  it('exits 1 without claiming to listen when the port is taken', async () => {
    const busy = createServer().listen(0);
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const { code, output } = await runMain(port, /(?!)/);
      expect(code).toBe(1);
      expect(output).toMatch(`cam api: cannot listen on port ${port}: listen EADDRINUSE`);
      expect(output).not.toMatch(/listening on/);
    } finally {
      busy.close();
    }
  }, 60_000);
});

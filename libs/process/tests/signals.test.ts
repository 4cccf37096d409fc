import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/signalled-worker.ts', import.meta.url));

/**
 * Runs the fixture in `mode` and sends it signals[i] once its output holds the i-th line of `after`;
 * resolves with its exit code and stdout lines (time and pid removed).
 */
function signalled(
  signals: NodeJS.Signals[],
  after: string[],
  mode = '',
): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let sent = 0;
    child.stdout.on('data', (d) => {
      out += d;
      while (sent < signals.length && out.includes(after[sent]!)) child.kill(signals[sent++]);
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      resolve({
        code,
        lines: out
          .trim()
          .split('\n')
          .map((l) => l.replace(/^\S+ fixture \d+: /, '')),
      }),
    );
  });
}

describe('closeOnSignals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s logs, closes, then exits 0',
    async (signal) => {
      const { code, lines } = await signalled([signal], ['ready']);
      expect(lines).toEqual(['ready', `${signal}: closing the worker`, 'closed']);
      expect(code).toBe(0);
    },
    30_000,
  );

  it('exits 1 and says why when closing fails', async () => {
    const { code, lines } = await signalled(['SIGTERM'], ['ready'], 'fail');
    expect(lines.at(-1)).toBe('shutdown failed: Error: the job could not be handed back');
    expect(code).toBe(1);
  }, 30_000);

  it('exits 130 at once on a second signal while closing', async () => {
    const started = Date.now();
    const { code, lines } = await signalled(['SIGTERM', 'SIGINT'], ['ready', 'closing the worker'], 'slow');
    expect(lines).toEqual(['ready', 'SIGTERM: closing the worker', 'SIGINT while closing: exiting now']);
    expect(code).toBe(130);
    expect(Date.now() - started).toBeLessThan(9_000); // did not wait for the 10 s close
  }, 30_000);
});

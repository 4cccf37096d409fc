import { describe, expect, it } from 'vitest';
import { Supervisor } from '../src/supervisor.js';

const entry = 'tests/fixtures/child.ts';

function collect() {
  const lines: string[] = [];
  const waitFor = async (text: string) => {
    const deadline = Date.now() + 20_000;
    while (!lines.includes(text)) {
      if (Date.now() > deadline) throw new Error(`no line '${text}' in ${JSON.stringify(lines)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { lines, waitFor, onLine: (name: string, line: string) => lines.push(`${name}: ${line}`) };
}

describe('Supervisor', () => {
  it('forwards each child output line by line with its name and its own environment', async () => {
    const out = collect();
    const supervisor = new Supervisor({ onLine: out.onLine, env: { ...process.env, CHILD_TAG: 'shared' } });
    supervisor.start({ name: 'a', entry });
    supervisor.start({ name: 'b', entry, env: { CHILD_TAG: 'own' } });
    await out.waitFor('a: ready shared');
    await out.waitFor('b: ready own');
    await supervisor.stopAll();
    expect(out.lines).toContain('a: stopping on SIGTERM');
    expect(supervisor.children.size).toBe(0);
  });

  it('sends SIGKILL to a child that ignores SIGTERM once the grace period is over', async () => {
    const out = collect();
    const supervisor = new Supervisor({ onLine: out.onLine, graceMs: 500 });
    const child = supervisor.start({ name: 'stubborn', entry, env: { IGNORE_SIGTERM: '1' } });
    await out.waitFor('stubborn: ready undefined');
    const started = Date.now();
    await supervisor.stopAll();
    expect(child.signalCode).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('reports a child that exits on its own', async () => {
    const exits: string[] = [];
    const supervisor = new Supervisor({
      onLine: () => undefined,
      onExit: (name, _code, signal) => exits.push(`${name} ${signal}`),
    });
    const child = supervisor.start({ name: 'crashy', entry });
    await new Promise((r) => child.once('spawn', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(exits).toEqual(['crashy SIGKILL']);
    supervisor.start({ name: 'twin', entry });
    expect(() => supervisor.start({ name: 'twin', entry })).toThrow(/twin is already running/);
    await supervisor.stopAll();
  });
});

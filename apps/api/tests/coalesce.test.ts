import { describe, expect, it } from 'vitest';
import { coalesceReads } from '../src/services/coalesce.js';

/** A read whose calls are recorded and finish only when released, one at a time. */
function controlledRead() {
  const started: { key: string; finish: (value: number) => void; fail: (e: Error) => void }[] = [];
  let version = 0;
  const read = (key: string) => new Promise<number>((finish, fail) => started.push({ key, finish, fail }));
  return { started, read, next: () => ++version };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('coalesceReads', () => {
  it('gives callers during a read one shared next read, started after the first ends', async () => {
    const { started, read, next } = controlledRead();
    const view = coalesceReads(read);
    const first = view('s-1');
    const [second, third] = [view('s-1'), view('s-1')];
    expect(started).toHaveLength(1);
    started[0]!.finish(next());
    expect(await first).toBe(1);
    await tick();
    // The callers that came during the first read get a read of their own, begun after they called.
    expect(started).toHaveLength(2);
    started[1]!.finish(next());
    expect([await second, await third]).toEqual([2, 2]);
  });

  it('keeps keys apart, passes a failure to its callers only, and reads afresh afterwards', async () => {
    const { started, read, next } = controlledRead();
    const view = coalesceReads(read);
    const a = view('s-a');
    const b = view('s-b');
    expect(started.map((s) => s.key)).toEqual(['s-a', 's-b']);
    const aAgain = view('s-a');
    started[0]!.fail(new Error('redis down'));
    await expect(a).rejects.toThrow('redis down');
    await tick();
    started[2]!.finish(next());
    started[1]!.finish(next());
    expect(await aAgain).toBe(1);
    expect(await b).toBe(2);
    const later = view('s-a');
    expect(started).toHaveLength(4);
    started[3]!.finish(next());
    expect(await later).toBe(3);
  });
});

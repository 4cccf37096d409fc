import { describe, expect, it } from 'vitest';
import { raceTimeout, startTsWorker } from '../src/index.js';

const after = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe('raceTimeout', () => {
  it("settles with the work's outcome when it is in time", async () => {
    expect(await raceTimeout(after(10, 'done'), 5_000, () => 'late')).toBe('done');
    await expect(raceTimeout(Promise.reject(new Error('broke')), 5_000, () => 'late')).rejects.toThrow(
      'broke',
    );
  });

  it("settles with onTimeout's value, or its error, when the work is late", async () => {
    expect(await raceTimeout(after(5_000, 'done'), 10, () => 'late')).toBe('late');
    await expect(
      raceTimeout(after(5_000, 'done'), 10, () => {
        throw new Error('too slow');
      }),
    ).rejects.toThrow('too slow');
  });
});

describe('startTsWorker', () => {
  it('runs a TypeScript entry in a worker thread', async () => {
    const worker = startTsWorker(new URL('./fixtures/echo-worker.ts', import.meta.url), { workerData: 21 });
    try {
      expect(
        await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject)),
      ).toBe(42);
    } finally {
      await worker.terminate();
    }
  }, 30_000);
});

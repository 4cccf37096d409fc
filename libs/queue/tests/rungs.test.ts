import { randomBytes } from 'node:crypto';
import { ashaDecide, type AshaRule } from '@cam/recipe';
import { afterAll, describe, expect, it } from 'vitest';
import {
  JobRegistry,
  RungStore,
  SweepRequestSchema,
  expandSweep,
  newId,
  redisConnection,
} from '../src/index.js';

const prefix = `test-rungs-${randomBytes(4).toString('hex')}`;
const redis = redisConnection();
const other = redisConnection();
const registry = new JobRegistry(redis, { prefix });
const MAX3: AshaRule = { mode: 'max', gracePeriod: 1, reductionFactor: 3 };

afterAll(async () => {
  await registry.clear();
  await Promise.all([redis.quit(), other.quit()]);
});

describe('RungStore (real Redis, one Lua script per decision)', () => {
  it('gives the hand-worked decisions and cutoffs, in arrival order', async () => {
    const sweepId = newId('sweep');
    const values = [0.5, 0.6, 0.4, 0.9, 0.55];
    const entries = [];
    for (const [i, value] of values.entries())
      entries.push(await registry.rungs.decide(sweepId, 1, `r-${i}`, value, MAX3));
    expect(entries.map((e) => e.action)).toEqual(['continue', 'continue', 'stop', 'continue', 'stop']);
    expect(entries.map((e) => e.order)).toEqual([0, 1, 2, 3, 4]);
    expect(entries[0]!.cutoff).toBeNull();
    expect(entries[2]!.cutoff).toBeCloseTo(0.5 + 0.1 * (2 / 3), 12);
    expect(entries[4]!.cutoff).toBeCloseTo(0.6, 12);
    const [table] = await registry.rungs.table(sweepId, [1], MAX3);
    expect(table!.entries).toEqual(entries);
    expect(table!.cutoff).toBeCloseTo(0.55 + (2 / 3) * 0.05, 12); // [0.4, 0.5, 0.55, 0.6, 0.9] at position 8/3
  });

  it("records a run's decision once: asking again (a resumed run) gives the same answer", async () => {
    const sweepId = newId('sweep');
    await registry.rungs.decide(sweepId, 3, 'r-a', 0.9, MAX3);
    const first = await registry.rungs.decide(sweepId, 3, 'r-b', 0.1, MAX3);
    expect(first.action).toBe('stop');
    const again = await registry.rungs.decide(sweepId, 3, 'r-b', 0.99, MAX3);
    expect(again).toEqual(first);
    expect(await registry.rungs.entries(sweepId, 3)).toHaveLength(2);
  });

  it('keeps decisions consistent when many runs on two connections reach a rung at the same moment', async () => {
    const sweepId = newId('sweep');
    const stores = [registry.rungs, new RungStore(other, prefix)];
    const values = Array.from({ length: 40 }, (_, i) => ((i * 37) % 40) / 40);
    const answers = await Promise.all(
      values.map((value, i) => stores[i % 2]!.decide(sweepId, 1, `r-${i}`, value, MAX3)),
    );
    const entries = await registry.rungs.entries(sweepId, 1);
    expect(entries.map((e) => e.order)).toEqual(values.map((_, i) => i));
    // Each decision is the rule applied to exactly the values recorded before it.
    for (const entry of entries) {
      const before = entries.filter((e) => e.order < entry.order).map((e) => e.value!);
      expect(ashaDecide(MAX3, before, entry.value!)).toEqual({ action: entry.action, cutoff: entry.cutoff });
    }
    for (const answer of answers) expect(entries).toContainEqual(answer);
  });

  it('stores NaN as null and judges it worst', async () => {
    const sweepId = newId('sweep');
    await registry.rungs.decide(sweepId, 1, 'r-1', 0.2, MAX3);
    const entry = await registry.rungs.decide(sweepId, 1, 'r-2', Number.NaN, MAX3);
    expect(entry).toMatchObject({ value: null, action: 'stop' });
  });
});

describe('JobRegistry history and stopped runs', () => {
  it('keeps every epoch once, in order, and the stop epoch', async () => {
    const runId = newId('run');
    const record = (epoch: number) => ({
      epoch,
      loss: 1 / epoch,
      accuracy: 0.5,
      learningRate: 0.01,
      seconds: 1,
    });
    await registry.addEpoch(runId, record(2));
    await registry.addEpoch(runId, record(1));
    await registry.addEpoch(runId, { ...record(2), accuracy: 0.6 }); // a resumed run redid epoch 2
    expect(await registry.getHistory(runId)).toEqual([record(1), { ...record(2), accuracy: 0.6 }]);
    const sweepId = newId('sweep');
    const createdAt = new Date().toISOString();
    const request = SweepRequestSchema.parse({ name: 'h' });
    const params = expandSweep(request)[0]!;
    await registry.createSweep({ id: sweepId, name: 'h', createdAt, request, runIds: [runId] }, [
      { id: runId, sweepId, createdAt, params },
    ]);
    expect(await registry.getRun(runId)).toMatchObject({ stoppedAtEpoch: null, history: [record(1), {}] });
    await registry.markStopped(runId, 2);
    expect((await registry.getRun(runId))?.stoppedAtEpoch).toBe(2);
  });
});

import { randomBytes } from 'node:crypto';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { readJobSnapshots, redisConnection, type QueueJobState } from '../src/index.js';

const redis = redisConnection();
const prefix = `test-snapshots-${randomBytes(4).toString('hex')}`;
const queue = new Queue('jobs', { connection: redis, prefix });

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** BullMQ's own answer in this module's vocabulary. */
const WAITING = new Set(['waiting', 'wait', 'delayed', 'prioritized', 'waiting-children', 'paused']);
const expected = (state: string): QueueJobState =>
  WAITING.has(state) ? 'waiting' : (state as QueueJobState);

describe('readJobSnapshots (real Redis, a real BullMQ worker)', () => {
  it('reads every state as getJobState does, with the outcome of finished jobs, in one MULTI', async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    const worker = new Worker(
      'jobs',
      async (job) => {
        if (job.name === 'fail') throw new UnrecoverableError('no such digit');
        if (job.name === 'hold') await gate;
        return { answer: 42 };
      },
      { connection: redisConnection(), prefix, concurrency: 1 },
    );
    try {
      await queue.add('ok', {}, { jobId: 'done' });
      await queue.add('fail', {}, { jobId: 'broken' });
      await until(async () => (await queue.getJobState('broken')) === 'failed', 'the failed job');
      await until(async () => (await queue.getJobState('done')) === 'completed', 'the completed job');
      await queue.add('hold', {}, { jobId: 'busy' });
      await until(async () => (await queue.getJobState('busy')) === 'active', 'the active job');
      await queue.add('ok', {}, { jobId: 'next' });
      await queue.add('ok', {}, { jobId: 'later', delay: 60_000 });
      await queue.add('ok', {}, { jobId: 'urgent', priority: 3 });

      const ids = ['done', 'broken', 'busy', 'next', 'later', 'urgent', 'missing'];
      const snapshots = await readJobSnapshots(redis, queue, ids);
      const bullStates = await Promise.all(ids.map((id) => queue.getJobState(id)));
      expect(snapshots.map((s) => s.state)).toEqual(bullStates.map(expected));
      expect(snapshots.map((s) => s.state)).toEqual([
        'completed',
        'failed',
        'active',
        'waiting',
        'waiting',
        'waiting',
        'unknown',
      ]);
      expect(snapshots[0]).toEqual({ state: 'completed', returnvalue: { answer: 42 }, failedReason: null });
      expect(snapshots[1]).toEqual({ state: 'failed', returnvalue: null, failedReason: 'no such digit' });
      expect(await readJobSnapshots(redis, queue, [])).toEqual([]);
    } finally {
      release();
      await worker.close();
    }
  });
});

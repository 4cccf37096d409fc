import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * A job's state as this service tells them apart: `waiting` stands for any of the queue's waiting places (wait,
 * delayed, prioritized, paused, waiting-children), `unknown` for a job that is gone.
 */
export type QueueJobState = 'completed' | 'failed' | 'active' | 'waiting' | 'unknown';

export interface JobSnapshot {
  state: QueueJobState;
  /** The processor's return value (parsed JSON) once completed, else null. */
  returnvalue: unknown;
  /** Why the last attempt failed, null if none did. */
  failedReason: string | null;
}

/**
 * The states and outcomes of many jobs of one queue, read in one MULTI (one round trip, one consistent moment):
 * each job's hash fields and its membership in the queue's completed and failed sets and active list. BullMQ's
 * getJobState and getJob answer the same for one job with a script call and a read each, which made a 64-run
 * sweep's view cost 128 round trips. Reads the queue's keys through its public `toKey` and `keys`; the tests check
 * every state against getJobState.
 */
export async function readJobSnapshots(
  redis: Redis,
  queue: Pick<Queue, 'toKey' | 'keys'>,
  ids: readonly string[],
): Promise<JobSnapshot[]> {
  const tx = redis.multi();
  for (const id of ids) {
    tx.hmget(queue.toKey(id), 'timestamp', 'returnvalue', 'failedReason');
    tx.zscore(queue.keys['completed']!, id);
    tx.zscore(queue.keys['failed']!, id);
    tx.lpos(queue.keys['active']!, id);
  }
  const replies = (await tx.exec()) ?? [];
  const value = (at: number) => {
    const [error, reply] = replies[at]!;
    if (error) throw error;
    return reply;
  };
  return ids.map((_, i) => {
    const [timestamp, returnvalue, failedReason] = value(4 * i) as (string | null)[];
    const state = stateOf(timestamp !== null, ...[1, 2, 3].map((k) => value(4 * i + k) !== null));
    return {
      state,
      returnvalue: state === 'completed' && returnvalue != null ? (JSON.parse(returnvalue) as unknown) : null,
      failedReason: failedReason ?? null,
    };
  });
}

/** A job's state from whether its hash exists and whether it is in the completed set, failed set, active list. */
function stateOf(exists: boolean, ...[completed, failed, active]: boolean[]): QueueJobState {
  if (!exists) return 'unknown';
  if (completed) return 'completed';
  if (failed) return 'failed';
  return active ? 'active' : 'waiting';
}

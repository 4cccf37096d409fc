import type { JobState } from '@cam/contracts';

const QUEUED_STATES = new Set(['waiting', 'wait', 'delayed', 'prioritized', 'waiting-children', 'paused']);

/** BullMQ's job state (or 'unknown' for a job that is gone) in the API's vocabulary. */
export function toJobState(bullState: string, cancelled: boolean, stopped = false): JobState {
  if (bullState === 'completed') return stopped ? 'stopped' : 'completed';
  if (cancelled) return 'cancelled';
  if (bullState === 'active') return 'active';
  if (QUEUED_STATES.has(bullState)) return 'queued';
  return 'failed';
}

/**
 * The states the API reports for runs and CAM batches. 'stopped': a run its sweep's scheduler (ASHA) ended
 * early; it has its artifacts for the epoch it reached.
 */
export const JOB_STATES = ['queued', 'active', 'completed', 'stopped', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

const QUEUED_STATES = new Set(['waiting', 'wait', 'delayed', 'prioritized', 'waiting-children', 'paused']);

/** BullMQ's job state (or 'unknown' for a job that is gone) in the API's vocabulary. */
export function toJobState(bullState: string, cancelled: boolean, stopped = false): JobState {
  if (bullState === 'completed') return stopped ? 'stopped' : 'completed';
  if (cancelled) return 'cancelled';
  if (bullState === 'active') return 'active';
  if (QUEUED_STATES.has(bullState)) return 'queued';
  return 'failed';
}

export const isFinished = (state: JobState) =>
  state === 'completed' || state === 'stopped' || state === 'failed' || state === 'cancelled';

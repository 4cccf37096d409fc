import type { DefaultJobOptions } from 'bullmq';

const DAY_SECONDS = 24 * 3600;

/**
 * Options every job is added with: 3 attempts with exponential backoff (5 s, 10 s), finished jobs kept
 * 7 days (completed, at most 1,000) or 30 days (failed, at most 5,000) so their state and return value stay
 * queryable. Jobs are added with jobId = runId / batchId.
 */
export const defaultJobOptions: DefaultJobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 7 * DAY_SECONDS, count: 1000 },
  removeOnFail: { age: 30 * DAY_SECONDS, count: 5000 },
};

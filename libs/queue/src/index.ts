export { QUEUE_NAMES, type QueueName } from './names.js';
export * from '@cam/contracts';
export { expandGrid } from './grid.js';
export { DEFAULT_REDIS_URL, redisConnection } from './connection.js';
export { defaultJobOptions } from './job-options.js';
export { camBatchArtifactsPrefix, runArtifactsPrefix } from './layout.js';
export {
  CamBatchRecordSchema,
  JobRegistry,
  RunRecordSchema,
  SweepRecordSchema,
  type CamBatchRecord,
  type CancellationWatch,
  type JobRegistryOptions,
  type RunRecord,
  type RunStatus,
  type SweepRecord,
} from './registry.js';
export { closeOnSignals, workerLog } from './worker-process.js';

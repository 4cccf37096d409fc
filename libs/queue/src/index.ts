export { QUEUE_NAMES, type QueueName } from './names.js';
export * from '@cam/contracts';
export { DEFAULT_REDIS_URL, redisConnection } from './connection.js';
export { defaultJobOptions } from './job-options.js';
export {
  camBatchArtifactsPrefix,
  camBatchUploadKey,
  camEvaluationArtifactsPrefix,
  runArtifactsPrefix,
  runCheckpointPrefix,
} from './layout.js';
export {
  CamBatchRecordSchema,
  CamEvaluationRecordSchema,
  JobRegistry,
  RunRecordSchema,
  SweepRecordSchema,
  type CamBatchRecord,
  type CamEvaluationRecord,
  type CancellationWatch,
  type JobRegistryOptions,
  type RunRecord,
  type RunStatus,
  type SweepRecord,
} from './registry.js';
export {
  SERVICE_ENV_DEFAULTS,
  type ServiceEnv,
  envInteger,
  envText,
  portFromEnv,
  serviceEnv,
} from './service-env.js';
export {
  IdempotencyStore,
  type IdempotencyClaim,
  type IdempotencyStoreOptions,
  type StoredAnswer,
} from './idempotency.js';
export { RungStore, type RungTable } from './rungs.js';
export { readJobSnapshots, type JobSnapshot, type QueueJobState } from './job-snapshots.js';

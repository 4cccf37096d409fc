export { QUEUE_NAMES, type QueueName } from './names.js';
export { LIMITS } from './limits.js';
export {
  ARCH_PRESET_NAMES,
  CAM_METHOD_NAMES,
  COLORMAP_NAMES,
  DATASET_NAMES,
  DATASET_SPLIT_SIZES,
  OPTIMIZER_NAMES,
  type CamMethodName,
  type ColormapName,
  type DatasetName,
} from './vocabulary.js';
export { ID_KINDS, ID_PATTERN, isId, newId, type IdKind } from './ids.js';
export {
  ArchSchema,
  CamBatchRequestSchema,
  CamJobResultSchema,
  CamJobSchema,
  ConvLayerSchema,
  GridSchema,
  IdSchema,
  RUN_PARAM_DEFAULTS,
  RunParamsSchema,
  SCHEDULER_METRICS,
  SchedulerSchema,
  SearchSchema,
  SpaceSchema,
  SweepRequestFieldsSchema,
  EpochRecordSchema,
  TrainingJobResultSchema,
  TrainingJobSchema,
  TrainProgressSchema,
  gridSize,
  isPngBase64,
  type CamBatchRequest,
  type CamBatchRequestInput,
  type CamJob,
  type CamJobResult,
  type Grid,
  type RunParamName,
  type RunParams,
  type EpochRecord,
  type Scheduler,
  type SchedulerMetric,
  type Search,
  type SearchSpace,
  type SweepRequest,
  type SweepRequestInput,
  type TrainingJob,
  type TrainingJobResult,
  type TrainProgress,
} from './schemas.js';
export { expandGrid } from './grid.js';
export { SweepRequestSchema, expandSweep, searchOf, sweepRunCount } from './sweep-plan.js';
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
export { RungEntrySchema, RungStore, type RungEntry, type RungTable } from './rungs.js';

export { EVALUATION_DEFAULTS, RENDER_DEFAULTS, SWEEP_SIZE_DEFAULTS, TRAIN_DEFAULTS } from './defaults.js';
export {
  LR_SCHEDULE_FORMS,
  LrScheduleError,
  isLrSchedule,
  parseLrSchedule,
  type LrSchedule,
} from './lr-schedule.js';
export {
  DISTRIBUTION_KINDS,
  distributionKind,
  distributionProbes,
  distributionProblem,
  sampleDistribution,
  sampleSpace,
  type Distribution,
  type DistributionKind,
  type Space,
} from './space.js';
export { ashaCutoff, ashaDecide, percentile, rungEpochs, type AshaDecision, type AshaRule } from './asha.js';

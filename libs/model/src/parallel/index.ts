export {
  DataParallelTrainer,
  type DataParallelOptions,
  type StepResult,
  defaultThreadCount,
} from './data-parallel.js';
export { type GradientTarget, gradientTargetOf, logitsModelOf, trainableVariables } from './shard.js';

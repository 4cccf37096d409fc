export {
  DataParallelTrainer,
  type DataParallelOptions,
  type StepResult,
  defaultThreadCount,
} from './data-parallel.js';
export { logitsModelOf, trainableVariables } from './shard.js';

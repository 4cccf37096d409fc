export { type CamHead, NotACamModelError, camHead } from './cam-head.js';
export { registerWasmKernels } from './kernels/index.js';
export {
  DataParallelTrainer,
  type DataParallelOptions,
  type StepResult,
  defaultThreadCount,
  logitsModelOf,
  trainableVariables,
} from './parallel/index.js';
export {
  ARCH_PRESETS,
  type ArchPresetName,
  type ArchSpec,
  ArchSpecError,
  type ConvLayerSpec,
  type InputNormalization,
  MNIST_NORMALIZATION,
  resolveArch,
  validateArch,
} from './arch.js';
export { type BuildOptions, buildModel, parameterCount } from './build.js';
export {
  BACKEND_PREFERENCES,
  type BackendChoice,
  type BackendPreference,
  BackendUnavailableError,
  initBackend,
} from './backend.js';
export { MODEL_FILE, ModelLoadError, WEIGHTS_FILE, loadModel, saveModel } from './io.js';
export {
  Adam,
  type LrSchedule,
  OPTIMIZER_NAMES,
  type OptimizerName,
  type OptimizerState,
  SgdMomentum,
  TrainingOptimizer,
  scheduledRate,
} from './optimizer.js';
export { type EpochRecord, checkpointDir } from './checkpoint.js';
export {
  type EvalResult,
  type EvaluateOptions,
  type SetEvaluation,
  confusionCsv,
  evaluate,
  evaluateSet,
} from './evaluate.js';
export { CURVES_FILE, METRICS_FILE, type Recipe, type RunMetrics, curvesPng } from './artifacts.js';
export {
  DEFAULT_RECIPE,
  type Gradients,
  type EpochVerdict,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  applyGradients,
  computeGradients,
  train,
} from './train.js';

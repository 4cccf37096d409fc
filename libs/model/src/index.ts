export { type CamHead, NotACamModelError, UnknownLayerError, camHead } from './cam-head.js';
export {
  registerWasmKernels,
  WASM_KERNEL_PREFERENCES,
  type WasmKernelChoice,
  type WasmKernelPreference,
  type WasmKernelSet,
} from './kernels/index.js';
export { type OnednnAddon, onednnAddon } from './kernels/onednn-addon.js';
export { ONEDNN_KERNELS } from './kernels/onednn.js';
export {
  DataParallelTrainer,
  type DataParallelOptions,
  type StepResult,
  type GradientTarget,
  defaultThreadCount,
  gradientTargetOf,
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
export { TrainOptionsError, type ValidationSetOptions, checkValidationSplit } from './rules.js';
export { type BuildOptions, buildModel, parameterCount } from './build.js';
export {
  BACKEND_PREFERENCES,
  type BackendChoice,
  type BackendPreference,
  BackendUnavailableError,
  backendLabel,
  describeBackend,
  initBackend,
} from './backend.js';
export {
  MODEL_FILE,
  ModelLoadError,
  WEIGHTS_FILE,
  loadModel,
  loadModelFrom,
  loadModelFromStore,
  saveModel,
  type ModelFileReader,
} from './io.js';
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
export { type TrainResult, train } from './train.js';
export { DEFAULT_RECIPE, type EpochVerdict, type TrainOptions } from './training/options.js';
export { type TrainProgress } from './training/progress.js';
export { type Gradients, applyGradients, computeGradients } from './training/step.js';

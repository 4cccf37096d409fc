export { type CamHead, NotACamModelError, camHead } from './cam-head.js';
export { registerWasmTrainingKernels } from './kernels/index.js';
export { DataParallelTrainer, type DataParallelOptions, type StepResult, defaultThreadCount } from './parallel/index.js';

export { type CamHead, NotACamModelError, camHead } from './cam-head.js';
export { registerWasmTrainingKernels } from './kernels/index.js';

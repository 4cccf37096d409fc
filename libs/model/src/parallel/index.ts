export { DataParallelTrainer, type DataParallelOptions, type StepResult, defaultThreadCount } from './data-parallel.js';

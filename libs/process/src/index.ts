export { STOP_SIGNALS, closeOnSignals, onStopSignals, workerLog } from './signals.js';
export { raceTimeout } from './timeout.js';
export { startTsWorker } from './ts-worker.js';

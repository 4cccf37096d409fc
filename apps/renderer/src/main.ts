// The CAM render worker process: `node --import tsx apps/renderer/src/main.ts`.
import { describeBackend, initBackend } from '@cam/model';
import { closeOnSignals, workerLog } from '@cam/process';
import { rendererConfigFromEnv } from './config.js';
import { startRenderer } from './worker.js';

const log = workerLog('renderer');

const config = rendererConfigFromEnv();
const backend = await initBackend();
log(`backend ${describeBackend(backend)}`);
const renderer = startRenderer(config, log);
log(
  `waiting for batches on '${renderer.worker.name}' and evaluations on '${renderer.evaluationWorker.name}' (up to ${config.modelCacheSize} models kept loaded)`,
);

closeOnSignals(() => renderer.close(), log, 'finishing the batch in progress');

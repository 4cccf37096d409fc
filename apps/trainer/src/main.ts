// The training worker process: `node --import tsx apps/trainer/src/main.ts` (one per core).
import { describeBackend, initBackend } from '@cam/model';
import { closeOnSignals, workerLog } from '@cam/process';
import { trainerConfigFromEnv } from './config.js';
import { trainInThread } from './thread-runner.js';
import { startTrainer } from './worker.js';

const log = workerLog('trainer');

const config = trainerConfigFromEnv();
// Each training thread initialises its own backend; this logs which one they will get, and a bad CAM_BACKEND fails now.
const backend = await initBackend();
log(`backend ${describeBackend(backend)}`);
const trainer = startTrainer(config, trainInThread, log);
log(`waiting for jobs on '${trainer.worker.name}' (lock ${config.lockDurationMs} ms)`);

closeOnSignals(() => trainer.close(), log, 'checkpointing and giving the running job back');

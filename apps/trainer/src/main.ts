// The training worker process: `node --import tsx apps/trainer/src/main.ts` (one per core).
import { initBackend } from '@cam/model';
import { trainerConfigFromEnv } from './config.js';
import { trainInThread } from './thread-runner.js';
import { startTrainer } from './worker.js';

const log = (line: string) => console.log(`${new Date().toISOString()} trainer ${process.pid}: ${line}`);

const config = trainerConfigFromEnv();
// Each training thread initialises its own backend; this logs which one they will get, and a bad CAM_BACKEND fails now.
const backend = await initBackend();
log(`backend ${backend.backend}${backend.reason ? ` (${backend.reason})` : ''}`);
const trainer = startTrainer(config, trainInThread, log);
log(`waiting for jobs on '${trainer.worker.name}' (lock ${config.lockDurationMs} ms)`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log(`${signal}: checkpointing and giving the running job back`);
    trainer.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  });
}

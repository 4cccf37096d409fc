import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServiceEnv, envInteger, envText, serviceEnv } from '@cam/queue';

/** Settings of a training worker process, read from its environment. */
export interface TrainerConfig extends ServiceEnv {
  /** SCRATCH_DIR: this process's local training folder (runs sync through the store). @defaultValue <tmp>/cam-trainer-<pid> */
  scratchDir: string;
  /**
   * LOCK_DURATION_MS: how long a job's lock lives without renewal; a crashed trainer's job is re-delivered
   * after about this long. Renewal runs every half of it, so no training stretch may block the event loop
   * that long. @defaultValue 30000
   */
  lockDurationMs: number;
  /** STALLED_INTERVAL_MS: how often this worker looks for jobs whose lock expired. @defaultValue 30000 */
  stalledIntervalMs: number;
  /**
   * TRAIN_THREADS: threads computing each batch's gradients (data-parallel worker threads, each with its own
   * tfjs/wasm instance; the wasm backend itself runs single-threaded). @defaultValue 1 (the model library's)
   */
  threads?: number;
}

export function trainerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TrainerConfig {
  return {
    ...serviceEnv(env),
    scratchDir: envText(env, 'SCRATCH_DIR') ?? join(tmpdir(), `cam-trainer-${process.pid}`),
    lockDurationMs: envInteger(env, 'LOCK_DURATION_MS', { min: 1, fallback: 30_000 }),
    stalledIntervalMs: envInteger(env, 'STALLED_INTERVAL_MS', { min: 1, fallback: 30_000 }),
    threads: envInteger(env, 'TRAIN_THREADS', { min: 1 }),
  };
}

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactsUrlFromEnv } from '@cam/storage';

/** Settings of a training worker process, read from its environment. */
export interface TrainerConfig {
  /** REDIS_URL @defaultValue 'redis://127.0.0.1:6379' (via @cam/queue) */
  redisUrl?: string;
  /** ARTIFACTS_URL (a folder, file:// or s3://bucket/prefix), else ARTIFACTS_DIR. @defaultValue './artifacts' */
  artifactsUrl: string;
  /** SCRATCH_DIR: this process's local training folder (runs sync through the store). @defaultValue <tmp>/cam-trainer-<pid> */
  scratchDir: string;
  /** BULL_PREFIX: BullMQ key prefix, the same in the API. @defaultValue 'bull' */
  bullPrefix: string;
  /** CAM_REGISTRY_PREFIX: registry key prefix, the same in the API. @defaultValue 'cam' */
  registryPrefix: string;
  /**
   * LOCK_DURATION_MS: how long a job's lock lives without renewal; a crashed trainer's job is re-delivered
   * after about this long. Renewal runs every half of it, so no training stretch may block the event loop
   * that long. @defaultValue 30000
   */
  lockDurationMs: number;
  /** STALLED_INTERVAL_MS: how often this worker looks for jobs whose lock expired. @defaultValue 30000 */
  stalledIntervalMs: number;
  /** TRAIN_THREADS: threads of the wasm backend per trainer. @defaultValue the model library's default */
  threads?: number;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback?: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive whole number, got '${text}'`);
  return value;
}

export function trainerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TrainerConfig {
  return {
    redisUrl: env.REDIS_URL || undefined,
    artifactsUrl: artifactsUrlFromEnv(env),
    scratchDir: env.SCRATCH_DIR || join(tmpdir(), `cam-trainer-${process.pid}`),
    bullPrefix: env.BULL_PREFIX || 'bull',
    registryPrefix: env.CAM_REGISTRY_PREFIX || 'cam',
    lockDurationMs: positiveInt(env, 'LOCK_DURATION_MS', 30_000)!,
    stalledIntervalMs: positiveInt(env, 'STALLED_INTERVAL_MS', 30_000)!,
    threads: positiveInt(env, 'TRAIN_THREADS'),
  };
}

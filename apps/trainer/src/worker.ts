import { hostname } from 'node:os';
import {
  JobRegistry,
  QUEUE_NAMES,
  redisConnection,
  type TrainingJob,
  type TrainingJobResult,
} from '@cam/queue';
import { artifactStoreFromUrl } from '@cam/storage';
import { Worker } from 'bullmq';
import type { TrainerConfig } from './config.js';
import { trainingProcessor, type TrainFn } from './processor.js';

export interface Trainer {
  worker: Worker<TrainingJob, TrainingJobResult>;
  /**
   * Graceful stop: aborts the running training (the model library checkpoints), gives its job back to the
   * queue, waits for that, then closes the connections.
   */
  close(): Promise<void>;
}

/** A BullMQ worker on the `training` queue that runs one job at a time. */
export function startTrainer(config: TrainerConfig, train: TrainFn, log: (line: string) => void): Trainer {
  const shutdown = new AbortController();
  const registryRedis = redisConnection(config.redisUrl);
  const registry = new JobRegistry(registryRedis, { prefix: config.registryPrefix });
  const processor = trainingProcessor({
    train,
    registry,
    store: artifactStoreFromUrl(config.artifactsUrl, process.env, { log }),
    scratchDir: config.scratchDir,
    shutdown: shutdown.signal,
    log,
    trainDefaults: config.threads ? { threads: config.threads } : {},
  });
  const worker = new Worker<TrainingJob, TrainingJobResult>(QUEUE_NAMES.training, processor, {
    connection: redisConnection(config.redisUrl),
    prefix: config.bullPrefix,
    // The container health check (infra/docker/worker-health.mjs) looks for a worker named after the hostname.
    name: hostname(),
    concurrency: 1,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
  });
  worker.on('failed', (job, err) =>
    log(`job ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`),
  );
  worker.on('stalled', (jobId) =>
    log(`job ${jobId} stalled (its trainer stopped renewing the lock): re-queued`),
  );
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  // The lock expired (the event loop was blocked longer than lockDuration) and the job may already be running
  // elsewhere: abort this attempt rather than train the same run twice into one folder.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const jobId of jobIds) worker.cancelJob(jobId, 'lock lost');
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shutdown.abort(new Error('trainer shutting down'));
      await worker.close();
      registryRedis.disconnect();
    })());
  return { worker, close };
}

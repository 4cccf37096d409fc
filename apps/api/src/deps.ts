import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  IdempotencyStore,
  JobRegistry,
  QUEUE_NAMES,
  defaultJobOptions,
  redisConnection,
  serviceEnv,
  type CamEvaluationJob,
  type CamEvaluationResult,
  type CamJob,
  type CamJobResult,
  type TrainingJob,
  type ServiceEnv,
  type TrainingJobResult,
} from '@cam/queue';
import { NO_RETRY, artifactStoreFromUrl, type ArtifactStore } from '@cam/storage';

export type TrainingQueue = Queue<TrainingJob, TrainingJobResult, 'train'>;
export type CamRenderQueue = Queue<CamJob, CamJobResult, 'render'>;
export type CamEvaluationQueue = Queue<CamEvaluationJob, CamEvaluationResult, 'evaluate'>;

/** What the HTTP layer talks to; tests build it against their own Redis prefixes and artifact folder. */
export interface ApiDeps {
  redis: Redis;
  registry: JobRegistry;
  store: ArtifactStore;
  queues: { training: TrainingQueue; camRender: CamRenderQueue; camEvaluation: CamEvaluationQueue };
  /** Idempotency-Key answers, beside the registry's keys. */
  idempotency: IdempotencyStore;
}

/** Each field left out is read from the environment by @cam/queue's serviceEnv, as the workers read it. */
export type DepsConfig = Partial<ServiceEnv>;

/**
 * Opens the Redis connections and the artifact store: one for the registry, the idempotency keys and the job
 * snapshots (what the API reads per request), one for the queues. BullMQ defines its Lua scripts as commands on
 * the connection it gets, and ioredis copies every defined command onto each pipeline and MULTI it makes: on a
 * shared connection that copying cost every view's reads more CPU than the reads themselves.
 * Commands issued while Redis is down wait for the reconnect; the HTTP layer answers 503 before that.
 */
export function createDeps(overrides: DepsConfig = {}): ApiDeps & { close(): Promise<void> } {
  const config = { ...serviceEnv(), ...overrides };
  const redis = redisConnection(config.redisUrl);
  const queueConnection = redisConnection(config.redisUrl);
  // Without a listener ioredis prints every failed reconnect; readiness is reported by /readyz instead.
  for (const connection of [redis, queueConnection]) connection.on('error', () => undefined);
  const queueOptions = { connection: queueConnection, prefix: config.bullPrefix, defaultJobOptions };
  const queues = {
    training: new Queue<TrainingJob, TrainingJobResult, 'train'>(QUEUE_NAMES.training, queueOptions),
    camRender: new Queue<CamJob, CamJobResult, 'render'>(QUEUE_NAMES.camRender, queueOptions),
    camEvaluation: new Queue<CamEvaluationJob, CamEvaluationResult, 'evaluate'>(
      QUEUE_NAMES.camEvaluation,
      queueOptions,
    ),
  };
  for (const queue of Object.values(queues)) queue.on('error', () => undefined);
  return {
    redis,
    registry: new JobRegistry(redis, { prefix: config.registryPrefix }),
    idempotency: new IdempotencyStore(redis, { prefix: `${config.registryPrefix}:idempotency` }),
    // No retries: a request for a file while the store is down gets its 503 at once.
    store: artifactStoreFromUrl(config.artifactsUrl, process.env, { retry: NO_RETRY }),
    queues,
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      redis.disconnect();
      queueConnection.disconnect();
    },
  };
}

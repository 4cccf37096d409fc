import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  JobRegistry,
  QUEUE_NAMES,
  defaultJobOptions,
  redisConnection,
  type CamJob,
  type CamJobResult,
  type TrainingJob,
  type TrainingJobResult,
} from '@cam/queue';
import { NO_RETRY, artifactStoreFromUrl, artifactsUrlFromEnv, type ArtifactStore } from '@cam/storage';

export type TrainingQueue = Queue<TrainingJob, TrainingJobResult, 'train'>;
export type CamRenderQueue = Queue<CamJob, CamJobResult, 'render'>;

/** What the HTTP layer talks to; tests build it against their own Redis prefixes and artifact folder. */
export interface ApiDeps {
  redis: Redis;
  registry: JobRegistry;
  store: ArtifactStore;
  queues: { training: TrainingQueue; camRender: CamRenderQueue };
}

export interface DepsConfig {
  /** @defaultValue process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' */
  redisUrl?: string;
  /** BullMQ key prefix. @defaultValue process.env.BULL_PREFIX ?? 'bull' */
  bullPrefix?: string;
  /** Registry key prefix. @defaultValue process.env.CAM_REGISTRY_PREFIX ?? 'cam' */
  registryPrefix?: string;
  /** A folder, file:// or s3:// URL (@cam/storage). @defaultValue ARTIFACTS_URL, else ARTIFACTS_DIR, else './artifacts' */
  artifactsUrl?: string;
}

/**
 * Opens the Redis connection (shared by the registry and both queues) and the artifact store.
 * Commands issued while Redis is down wait for the reconnect; the HTTP layer answers 503 before that.
 */
export function createDeps(config: DepsConfig = {}): ApiDeps & { close(): Promise<void> } {
  const redis = redisConnection(config.redisUrl);
  // Without a listener ioredis prints every failed reconnect; readiness is reported by /readyz instead.
  redis.on('error', () => undefined);
  const prefix = config.bullPrefix ?? process.env.BULL_PREFIX ?? 'bull';
  const queueOptions = { connection: redis, prefix, defaultJobOptions };
  const queues = {
    training: new Queue<TrainingJob, TrainingJobResult, 'train'>(QUEUE_NAMES.training, queueOptions),
    camRender: new Queue<CamJob, CamJobResult, 'render'>(QUEUE_NAMES.camRender, queueOptions),
  };
  for (const queue of Object.values(queues)) queue.on('error', () => undefined);
  return {
    redis,
    registry: new JobRegistry(redis, {
      prefix: config.registryPrefix ?? process.env.CAM_REGISTRY_PREFIX ?? 'cam',
    }),
    // No retries: a request for a file while the store is down gets its 503 at once.
    store: artifactStoreFromUrl(config.artifactsUrl ?? artifactsUrlFromEnv(), process.env, {
      retry: NO_RETRY,
    }),
    queues,
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      redis.disconnect();
    },
  };
}

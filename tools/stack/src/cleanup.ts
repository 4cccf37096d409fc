import { JobRegistry, QUEUE_NAMES, redisConnection } from '@cam/queue';
import { Queue } from 'bullmq';

/** Removes every BullMQ key of both queues under `bullPrefix` and every registry key under `registryPrefix`. */
export async function removeQueueKeys(
  redisUrl: string,
  bullPrefix: string,
  registryPrefix: string,
): Promise<void> {
  const redis = redisConnection(redisUrl);
  try {
    for (const name of Object.values(QUEUE_NAMES)) {
      const queue = new Queue(name, { connection: redis, prefix: bullPrefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await new JobRegistry(redis, { prefix: registryPrefix }).clear();
  } finally {
    redis.disconnect();
  }
}

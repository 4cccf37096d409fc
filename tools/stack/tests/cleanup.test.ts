import { JobRegistry, newId, QUEUE_NAMES, redisConnection } from '@cam/queue';
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { removeQueueKeys } from '../src/cleanup.js';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe('removeQueueKeys', () => {
  it('removes both queues and the registry under the given prefixes, and nothing else', async () => {
    const prefix = `test-cleanup-${process.pid}-${Date.now()}`;
    const redis = redisConnection(REDIS_URL);
    try {
      const queue = new Queue(QUEUE_NAMES.training, { connection: redis, prefix });
      await queue.add('train', { any: 1 }, { jobId: newId('run') });
      await queue.close();
      const runId = newId('run');
      await new JobRegistry(redis, { prefix: `${prefix}-registry` }).cancelRun(runId);
      await redis.set(`${prefix}-other:keep`, '1');

      await removeQueueKeys(REDIS_URL, prefix, `${prefix}-registry`);
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
      expect(await redis.keys(`${prefix}-registry:*`)).toEqual([]);
      expect(await redis.get(`${prefix}-other:keep`)).toBe('1');
    } finally {
      await redis.del(`${prefix}-other:keep`);
      redis.disconnect();
    }
  });
});

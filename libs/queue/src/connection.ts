import { Redis, type RedisOptions } from 'ioredis';
import { serviceEnv } from './service-env.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * An ioredis connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ workers require (a blocking
 * command must wait through reconnects instead of failing); `overrides` may change it for other clients.
 * @param url - @defaultValue REDIS_URL (see serviceEnv), else 'redis://127.0.0.1:6379'
 */
export function redisConnection(
  url: string = serviceEnv().redisUrl ?? DEFAULT_REDIS_URL,
  overrides: RedisOptions = {},
): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, ...overrides });
}

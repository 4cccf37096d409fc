import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort, NoRedisError, redisAnswers, resolveRedis } from '../src/redis.js';

const SHARED = 'redis://127.0.0.1:6379';

describe('resolveRedis', () => {
  it('takes REDIS_URL as given', async () => {
    const redis = await resolveRedis({ redisUrl: 'redis://example.invalid:6380' });
    expect(redis).toMatchObject({ url: 'redis://example.invalid:6380', source: 'REDIS_URL' });
  });

  it('uses the local default port when it answers', async () => {
    expect(await redisAnswers(SHARED)).toBe(true);
    const redis = await resolveRedis({ redisUrl: '', localUrl: SHARED });
    expect(redis).toMatchObject({ url: SHARED, source: 'local' });
  });

  it('starts a redis-server from PATH on a free port when nothing answers, and stops it', async () => {
    const silent = `redis://127.0.0.1:${await freePort()}`;
    const redis = await resolveRedis({ redisUrl: '', localUrl: silent });
    expect(redis.source).toBe('spawned');
    expect(redis.url).not.toBe(silent);
    expect(await redisAnswers(redis.url)).toBe(true);
    await redis.stop();
    expect(await redisAnswers(redis.url)).toBe(false);
  });

  it('names both fixes when there is neither a Redis nor a redis-server', async () => {
    const silent = `redis://127.0.0.1:${await freePort()}`;
    const attempt = resolveRedis({ redisUrl: '', localUrl: silent, searchPath: '/nonexistent' });
    await expect(attempt).rejects.toBeInstanceOf(NoRedisError);
    await expect(attempt).rejects.toThrow(/REDIS_URL.*redis-server/s);
  });

  it('does not mistake a non-Redis listener for Redis', async () => {
    expect(existsSync('/usr/bin/redis-server')).toBe(true);
    expect(await redisAnswers(`redis://127.0.0.1:${await freePort()}`, 200)).toBe(false);
  });
});

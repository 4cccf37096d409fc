import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort, NoRedisError, redisAnswers, resolveRedis, withLocalRedis } from '../src/redis.js';
import { REPO_ROOT } from '../src/stack.js';

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

describe('withLocalRedis', () => {
  it('starts a redis-server on the port for the duration of the work when nothing answers there, and stops it', async () => {
    const silent = `redis://127.0.0.1:${await freePort()}`;
    const lines: string[] = [];
    const during = await withLocalRedis(() => redisAnswers(silent), {
      localUrl: silent,
      log: (l) => lines.push(l),
    });
    expect(during).toBe(true);
    expect(lines).toEqual([expect.stringMatching(`started .*redis-server at ${silent} for this run`)]);
    expect(await redisAnswers(silent)).toBe(false);
  });

  it('uses the Redis that answers, starting none', async () => {
    const lines: string[] = [];
    expect(await withLocalRedis(async () => 'ran', { localUrl: SHARED, log: (l) => lines.push(l) })).toBe(
      'ran',
    );
    expect(lines).toEqual([]);
  });

  it('still runs the work without a Redis or a redis-server, saying why Redis tests will fail', async () => {
    const silent = `redis://127.0.0.1:${await freePort()}`;
    const lines: string[] = [];
    const ran = await withLocalRedis(async () => 'ran', {
      localUrl: silent,
      searchPath: '/nonexistent',
      log: (l) => lines.push(l),
    });
    expect(ran).toBe('ran');
    expect(lines).toEqual([
      expect.stringMatching(/no redis-server is on PATH: the tests that need Redis will fail/),
    ]);
  });
});

describe('test-run.ts (npm test)', () => {
  it("runs the command and exits with the command's status", () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'tools/stack/src/test-run.ts', process.execPath, '-e', 'process.exit(3)'],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status).toBe(3);
  }, 90_000);
});

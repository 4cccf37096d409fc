import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { serviceEnv } from '@cam/queue';

/** A Redis the stack uses, and how to let go of it. */
export interface RedisHandle {
  url: string;
  /** Where the URL came from: the environment, the default local port, or a server this process started. */
  source: 'REDIS_URL' | 'local' | 'spawned';
  /** Stops the server when this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

export interface ResolveRedisOptions {
  /** @defaultValue REDIS_URL (serviceEnv) */
  redisUrl?: string;
  /** Tried when no URL is given. @defaultValue 'redis://127.0.0.1:6379' */
  localUrl?: string;
  /** Searched for `redis-server` when nothing answers. @defaultValue process.env.PATH */
  searchPath?: string;
  /** How long one probe waits for an answer. @defaultValue 500 */
  probeTimeoutMs?: number;
}

const DEFAULT_LOCAL_URL = 'redis://127.0.0.1:6379';

export class NoRedisError extends Error {
  constructor(tried: string) {
    super(
      `No Redis: nothing answers at ${tried} and no redis-server is on PATH. ` +
        'Either set REDIS_URL to a reachable Redis (e.g. REDIS_URL=redis://host:6379), ' +
        'or install redis-server (e.g. `apt-get install redis-server`) so that one is started for you.',
    );
    this.name = 'NoRedisError';
  }
}

/** True when something at `url` answers a RESP PING (any reply, even an auth error, counts as a Redis). */
export function redisAnswers(url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^[+-]/.test(data.toString('latin1'))));
  });
}

/** The first executable `name` in the `searchPath` folders, or undefined. */
export function findOnPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Stops `child` with SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
export function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts `redis-server` on `port` (a free one by default) with a temporary working folder, no persistence. */
export async function spawnRedis(
  server: string,
  opts: { port?: number; probeTimeoutMs?: number } = {},
): Promise<RedisHandle> {
  const port = opts.port ?? (await freePort());
  const probeTimeoutMs = opts.probeTimeoutMs ?? 500;
  const dir = mkdtempSync(join(tmpdir(), 'cam-redis-'));
  const child = spawn(
    server,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess(child, 5000);
    rmSync(dir, { recursive: true, force: true });
  };
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`${server} exited with code ${code} before answering on ${url}`)),
    ),
  );
  const deadline = Date.now() + 10_000;
  try {
    while (!(await Promise.race([redisAnswers(url, probeTimeoutMs), exited]))) {
      if (Date.now() > deadline) throw new Error(`${server} did not answer on ${url} within 10 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, source: 'spawned', stop };
}

/**
 * The Redis the stack should use: REDIS_URL when given; else the local default port if it answers; else a
 * redis-server from PATH, started on a free port; else a {@link NoRedisError} naming both fixes.
 */
export async function resolveRedis(opts: ResolveRedisOptions = {}): Promise<RedisHandle> {
  const noop = () => Promise.resolve();
  const redisUrl = opts.redisUrl ?? serviceEnv().redisUrl;
  if (redisUrl) return { url: redisUrl, source: 'REDIS_URL', stop: noop };
  const localUrl = opts.localUrl ?? DEFAULT_LOCAL_URL;
  if (await redisAnswers(localUrl, opts.probeTimeoutMs))
    return { url: localUrl, source: 'local', stop: noop };
  const server = findOnPath('redis-server', opts.searchPath);
  if (!server) throw new NoRedisError(localUrl);
  return spawnRedis(server, { probeTimeoutMs: opts.probeTimeoutMs });
}

export interface LocalRedisOptions {
  /** @defaultValue 'redis://127.0.0.1:6379' (where the tests look) */
  localUrl?: string;
  /** Searched for `redis-server`. @defaultValue process.env.PATH */
  searchPath?: string;
  /** @defaultValue a line on stderr */
  log?: (line: string) => void;
}

/**
 * Runs `work` with a Redis answering at `localUrl`: the one already there, else a redis-server from PATH
 * started on that port for the duration and stopped after. Without either, `work` still runs, after a line
 * saying why the tests that need Redis will fail.
 */
export async function withLocalRedis<T>(work: () => Promise<T>, opts: LocalRedisOptions = {}): Promise<T> {
  const localUrl = opts.localUrl ?? DEFAULT_LOCAL_URL;
  const log = opts.log ?? ((line: string) => console.error(line));
  if (await redisAnswers(localUrl)) return work();
  const server = findOnPath('redis-server', opts.searchPath);
  if (!server) {
    log(`nothing answers at ${localUrl} and no redis-server is on PATH: the tests that need Redis will fail`);
    return work();
  }
  const redis = await spawnRedis(server, { port: Number(new URL(localUrl).port) });
  log(`started ${server} at ${redis.url} for this run`);
  try {
    return await work();
  } finally {
    await redis.stop();
  }
}

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { envText, portFromEnv } from '@cam/queue';
import { ensureDashboardBuilt } from './dashboard.js';
import { resolveRedis, type RedisHandle, type ResolveRedisOptions } from './redis.js';
import { Supervisor, type SupervisorOptions, defaultOnLine } from './supervisor.js';

/** The repository root, where the entry files below are found. */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export const ENTRY_FILES = {
  api: 'apps/api/src/main.ts',
  trainer: 'apps/trainer/src/main.ts',
  renderer: 'apps/renderer/src/main.ts',
} as const;

export interface StackOptions {
  /** Port of the HTTP API. @defaultValue PORT, else 3000 (portFromEnv) */
  port?: number;
  /** Training worker processes (one job at a time each). @defaultValue 2 */
  trainers?: number;
  /** CAM render worker processes. @defaultValue 1 */
  renderers?: number;
  /** Shared artifact folder of the API and the workers. @defaultValue ARTIFACTS_DIR, else '<repo>/artifacts' */
  artifactsDir?: string;
  /** Where Redis comes from (see resolveRedis). @defaultValue {} */
  redis?: ResolveRedisOptions;
  /** Extra environment for every process. @defaultValue {} */
  env?: Record<string, string>;
  /** How long to wait for the API's /readyz. @defaultValue 60000 */
  readyTimeoutMs?: number;
  /** Build apps/dashboard when missing or stale, before the API starts. @defaultValue true */
  buildDashboard?: boolean;
  /** Output and exit handling of the children. @defaultValue output to stdout, prefixed */
  supervisor?: Pick<SupervisorOptions, 'onLine' | 'onExit' | 'graceMs'>;
}

export interface Stack {
  apiUrl: string;
  redis: RedisHandle;
  supervisor: Supervisor;
  artifactsDir: string;
  /** Stops the children (SIGTERM, then SIGKILL), then Redis when the stack started it. Safe to call twice. */
  stop(): Promise<void>;
  /** Settles when the API exits on its own after it was ready: the stack cannot serve any more. */
  apiExited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The API's line once it is really listening (it never prints it when its listen fails). */
const API_LISTENING = /\blistening on http:/;

/**
 * Waits until the API child says it is listening and `url` answers: an answer alone may come from another
 * process holding the port (a second stack on the same PORT), whose API would fail with EADDRINUSE.
 */
async function waitForReady(
  url: string,
  timeoutMs: number,
  api: { listening: () => boolean; exited: () => boolean },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (api.exited()) throw new Error(`the API exited before ${url} answered (see its output above)`);
    try {
      if (api.listening() && (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // too slow to answer
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts Redis (if needed), the API, the trainers and the renderers; resolves once the API is ready. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const port = opts.port ?? portFromEnv();
  const trainers = opts.trainers ?? 2;
  const renderers = opts.renderers ?? 1;
  for (const [name, count] of Object.entries({ trainers, renderers })) {
    if (!Number.isInteger(count) || count < 0)
      throw new Error(`${name} must be a whole number >= 0, got ${count}`);
  }
  const artifactsDir = resolve(
    opts.artifactsDir ?? envText(process.env, 'ARTIFACTS_DIR') ?? resolve(REPO_ROOT, 'artifacts'),
  );
  if (opts.buildDashboard ?? true) await ensureDashboardBuilt();
  const redis = await resolveRedis(opts.redis);
  // Trainers share the cores: each gets its slice of threads unless TRAIN_THREADS says otherwise.
  const trainThreads = String(Math.max(1, Math.floor(availableParallelism() / Math.max(1, trainers))));
  let apiListening = false;
  const onLine = opts.supervisor?.onLine ?? defaultOnLine;
  const supervisor = new Supervisor({
    cwd: REPO_ROOT,
    env: {
      TRAIN_THREADS: trainThreads,
      ...process.env,
      ...opts.env,
      REDIS_URL: redis.url,
      ARTIFACTS_DIR: artifactsDir,
    },
    ...opts.supervisor,
    onLine: (name, line) => {
      if (name === 'api' && API_LISTENING.test(line)) apiListening = true;
      onLine(name, line);
    },
  });
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= supervisor.stopAll().then(() => redis.stop()));
  try {
    const api = supervisor.start({ name: 'api', entry: ENTRY_FILES.api, env: { PORT: String(port) } });
    for (let i = 1; i <= trainers; i++)
      supervisor.start({ name: `trainer-${i}`, entry: ENTRY_FILES.trainer });
    for (let i = 1; i <= renderers; i++)
      supervisor.start({ name: `renderer-${i}`, entry: ENTRY_FILES.renderer });
    const apiUrl = `http://127.0.0.1:${port}`;
    const apiExited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      api.once('exit', (code, signal) => {
        if (!supervisor.stopping) resolve({ code, signal });
      }),
    );
    await waitForReady(`${apiUrl}/readyz`, opts.readyTimeoutMs ?? 60_000, {
      listening: () => apiListening,
      exited: () => api.exitCode !== null || api.signalCode !== null,
    });
    return { apiUrl, redis, supervisor, artifactsDir, stop, apiExited };
  } catch (err) {
    await stop();
    throw err;
  }
}

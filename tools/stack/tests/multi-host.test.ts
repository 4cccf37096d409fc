// "Hosts" on one machine: the API, two trainers and a renderer, each in its own working folder with its own
// scratch folder, sharing no folder, only Redis and an S3 server (s3rver, a real one, on disk). Real processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadModelFromStore } from '@cam/model';
import { JobRegistry, QUEUE_NAMES, redisConnection } from '@cam/queue';
import { TINY_RUN } from '@cam/queue/testing';
import { Queue } from 'bullmq';
import { artifactStoreFromUrl, type ArtifactStore } from '@cam/storage';
import { freePort, S3rverProcess } from '@cam/storage/testing';
import { ENTRY_FILES, REPO_ROOT } from '../src/stack.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TSX = import.meta.resolve('tsx');
const TINY_SWEEP = { name: 'hosts', ...TINY_RUN, learningRate: 0.01, seed: 7 };
const prefix = `test-hosts-${process.pid}-${randomBytes(3).toString('hex')}`;

class Host {
  readonly dir: string;
  readonly scratch: string;
  child: ChildProcess | null = null;

  constructor(
    readonly name: string,
    readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly output: string[],
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `cam-host-${name}-`));
    this.scratch = join(this.dir, 'scratch');
  }

  start(): ChildProcess {
    const child = spawn(process.execPath, ['--import', TSX, join(REPO_ROOT, this.entry)], {
      cwd: this.dir,
      env: { ...this.env, SCRATCH_DIR: this.scratch },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout!, child.stderr!])
      createInterface({ input: stream }).on('line', (line) => this.output.push(`[${this.name}] ${line}`));
    this.child = child;
    return child;
  }

  async kill9(): Promise<void> {
    const child = this.child!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  lines(): string[] {
    return this.output.filter((l) => l.startsWith(`[${this.name}] `));
  }
}

let s3: S3rverProcess;
let store: ArtifactStore;
let api = '';
const output: string[] = [];
const hosts: Record<'api' | 'trainerA' | 'trainerB' | 'renderer', Host> = {} as never;

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${output.slice(-80).join('\n')}`);
    await sleep(100);
  }
}

async function call(method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${api}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

interface RunView {
  state: string;
  progress: { epoch: number } | null;
  metrics: { epochsRun: number; history: unknown[] } | null;
  artifacts: string[];
}
const runOf = async (id: string) => (await (await call('GET', `/v1/runs/${id}`)).json()) as RunView;

async function submit(request: Record<string, unknown>): Promise<string[]> {
  const res = await call('POST', '/v1/sweeps', { ...TINY_SWEEP, ...request });
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { runs: { id: string }[] }).runs.map((r) => r.id);
}

const completed = (id: string, timeoutMs?: number) =>
  until(
    `run ${id} to complete`,
    async () => ((await runOf(id)).state === 'completed' ? true : undefined),
    timeoutMs,
  );

/** Every file of a run, through the API, equals the object in S3 byte for byte, and the model loads from S3. */
async function expectRunIntact(runId: string): Promise<void> {
  const run = await runOf(runId);
  expect(run.artifacts).toEqual(
    expect.arrayContaining(['metrics.json', 'model.json', 'weights.bin', 'curves.png']),
  );
  expect(run.artifacts.some((name) => name.startsWith('checkpoint'))).toBe(false);
  for (const name of run.artifacts) {
    const served = await call('GET', `/v1/runs/${runId}/artifacts/${name}`);
    expect(served.status).toBe(200);
    const bytes = Buffer.from(await served.arrayBuffer());
    const stored = await store.get(`runs/${runId}/${name}`);
    expect(Number(served.headers.get('content-length'))).toBe(stored.length);
    expect(bytes.equals(stored), name).toBe(true);
  }
  // model.json's weight specs against weights.bin's size: a truncated file would not load.
  (await loadModelFromStore(store, `runs/${runId}`)).dispose();
  expect(await store.list(`runs/${runId}/checkpoint`)).toEqual([]);
}

beforeAll(async () => {
  await initBackend('cpu');
  s3 = await S3rverProcess.start('cam-hosts');
  const s3env = s3.env(prefix);
  store = artifactStoreFromUrl(s3env.ARTIFACTS_URL!, s3env);
  // Nothing local: no ARTIFACTS_DIR to fall back on, no token.
  const inherited = { ...process.env };
  for (const name of ['ARTIFACTS_DIR', 'ARTIFACTS_URL', 'API_TOKEN']) delete inherited[name];
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const env = {
    ...inherited,
    ...s3env,
    REDIS_URL,
    BULL_PREFIX: prefix,
    CAM_REGISTRY_PREFIX: `${prefix}-registry`,
    PORT: String(port),
    LOCK_DURATION_MS: '10000',
    STALLED_INTERVAL_MS: '2000',
    TRAIN_THREADS: '1',
  };
  hosts.api = new Host('api', ENTRY_FILES.api, env, output);
  hosts.trainerA = new Host('trainerA', ENTRY_FILES.trainer, env, output);
  hosts.trainerB = new Host('trainerB', ENTRY_FILES.trainer, env, output);
  hosts.renderer = new Host('renderer', ENTRY_FILES.renderer, env, output);
  for (const host of Object.values(hosts)) host.start();
  await until('the API', async () => ((await fetch(`${api}/readyz`)).ok ? true : undefined), 60_000);
  await until('both trainers', async () =>
    ['trainerA', 'trainerB'].every((n) =>
      output.some((l) => l.startsWith(`[${n}] `) && l.includes('waiting for jobs')),
    )
      ? true
      : undefined,
  );
}, 120_000);

afterAll(async () => {
  for (const host of Object.values(hosts)) {
    if (host.child && host.child.exitCode === null && host.child.signalCode === null) await host.kill9();
    rmSync(host.dir, { recursive: true, force: true });
  }
  const redis = redisConnection(REDIS_URL);
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, { connection: redis, prefix });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  await new JobRegistry(redis, { prefix: `${prefix}-registry` }).clear();
  redis.disconnect();
  await s3?.close();
});

describe('workers on separate hosts sharing only Redis and S3', () => {
  let firstRun = '';

  /** A CAM batch's view once it has rendered. */
  const renderedBatch = (batchId: string) =>
    until('the CAM batch', async () => {
      const view = (await (await call('GET', `/v1/cam-batches/${batchId}`)).json()) as {
        state: string;
        montage: string | null;
        npy: string | null;
        items: { png: string }[];
      };
      return view.state === 'completed' ? view : undefined;
    });

  it('trains a sweep on two trainer hosts and renders a CAM batch on a third', async () => {
    const runs = await submit({ epochs: 2, grid: { learningRate: [0.01, 0.03] } });
    firstRun = runs[0]!;
    for (const id of runs) await completed(id);
    // One run per trainer host.
    const ranOn = runs.map((id) =>
      ['trainerA', 'trainerB'].filter((n) =>
        hosts[n as 'trainerA'].lines().some((l) => l.includes(`run ${id}: training`)),
      ),
    );
    expect(ranOn.flat().sort()).toEqual(['trainerA', 'trainerB']);
    for (const id of runs) await expectRunIntact(id);

    const created = await call('POST', '/v1/cam-batches', {
      runId: firstRun,
      split: 'test',
      indices: [0, 1, 2, 3],
      method: 'cam',
      target: 'predicted',
      colormap: 'jet',
      size: 56,
    });
    expect(created.status).toBe(202);
    const batchId = ((await created.json()) as { id: string }).id;
    const batch = await renderedBatch(batchId);
    expect(batch.items).toHaveLength(4);
    const served = new Map<string, Buffer>();
    for (const url of [batch.montage!, batch.npy!, ...batch.items.map((i) => i.png)]) {
      const name = url.split('/').at(-1)!;
      served.set(name, Buffer.from(await (await fetch(new URL(url, api))).arrayBuffer()));
      expect(served.get(name)!.equals(await store.get(`cam-batches/${batchId}/${name}`)), name).toBe(true);
    }

    // Uploaded PNGs (two of those overlays) reach the renderer's host through S3, not through Redis.
    const uploads = batch.items.slice(0, 2).map((i) => served.get(i.png.split('/').at(-1)!)!);
    const uploaded = await call('POST', '/v1/cam-batches', {
      runId: firstRun,
      images: uploads.map((png) => png.toString('base64')),
      target: 3,
    });
    expect(uploaded.status).toBe(202);
    const uploadId = ((await uploaded.json()) as { id: string }).id;
    expect((await renderedBatch(uploadId)).items).toHaveLength(2);
    for (const [i, png] of uploads.entries())
      expect((await store.get(`cam-batches/${uploadId}/uploads/${i}.png`)).equals(png)).toBe(true);
    // No host kept a copy: scratch folders are empty and no local artifacts folder appeared.
    for (const host of Object.values(hosts)) {
      expect(existsSync(join(host.dir, 'artifacts')), host.name).toBe(false);
      if (existsSync(host.scratch))
        expect(
          readdirSync(host.scratch, { recursive: true }).filter((f) => String(f).endsWith('.bin')),
        ).toEqual([]);
    }
  }, 240_000);

  it('after kill -9 of a trainer mid-run, the other host resumes from the checkpoint in S3, not from epoch 1', async () => {
    const [runId] = await submit({ epochs: 5 });
    const trainer = await until('a trainer to take the run', async () =>
      (['trainerA', 'trainerB'] as const).find((n) =>
        hosts[n].lines().some((l) => l.includes(`run ${runId}: training`)),
      ),
    );
    await until(
      'epoch 2 (epoch 1 checkpointed in S3)',
      async () => ((await runOf(runId!)).progress?.epoch ?? 0) >= 2 || undefined,
    );
    expect(await store.exists(`runs/${runId}/checkpoint/state.json`)).toBe(true);
    await hosts[trainer].kill9();
    const other = trainer === 'trainerA' ? 'trainerB' : 'trainerA';
    await completed(runId!, 180_000);
    const resumed = hosts[other].lines().find((l) => l.includes(`run ${runId}: resuming from`));
    expect(resumed, hosts[other].lines().join('\n')).toBeDefined();
    expect(Number(/epoch (\d+) done/.exec(resumed!)![1])).toBeGreaterThanOrEqual(1);
    expect(
      hosts[other]
        .lines()
        .some(
          (l) => l.includes(`run ${runId}: training`) && l.includes('resuming from the stored checkpoint'),
        ),
    ).toBe(true);
    const metrics = (await runOf(runId!)).metrics!;
    expect(metrics.epochsRun).toBe(5);
    expect(metrics.history).toHaveLength(5);
    await expectRunIntact(runId!);
    hosts[trainer].start();
  }, 240_000);

  it('rides out an S3 outage: workers retry with backoff, the run completes intact, the API answers 503 meanwhile', async () => {
    const [runId] = await submit({ epochs: 5 });
    await until('epoch 2', async () => ((await runOf(runId!)).progress?.epoch ?? 0) >= 2 || undefined);
    await s3.stop();
    const downSince = Date.now();
    try {
      const res = await call('GET', `/v1/runs/${firstRun}/artifacts/weights.bin`);
      expect(res.status).toBe(503);
      const body = await res.text();
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'service_unavailable' } });
      expect(body).not.toContain(s3.env().AWS_SECRET_ACCESS_KEY!);
      const batches = await call('GET', `/v1/runs/${firstRun}/artifacts/model.json`);
      expect(batches.status).toBe(503);
      await sleep(Math.max(0, 5000 - (Date.now() - downSince)));
    } finally {
      await s3.resume();
    }
    await completed(runId!, 180_000);
    const retries = output.filter((l) => /\[trainer[AB]\] .*is unavailable.*: try \d+ in \d+ ms/.test(l));
    expect(retries.length, output.slice(-40).join('\n')).toBeGreaterThanOrEqual(1);
    const metrics = (await runOf(runId!)).metrics!;
    expect(metrics.epochsRun).toBe(5);
    await expectRunIntact(runId!);
    await expectRunIntact(firstRun);
    // Logs of every process, retries and errors included, name the store but never its credentials.
    expect(output.some((l) => l.includes(`s3://${s3.bucket}/${prefix}/`))).toBe(true);
    for (const secret of [s3.env().AWS_SECRET_ACCESS_KEY!, s3.env().AWS_ACCESS_KEY_ID!])
      expect(output.filter((l) => l.includes(secret))).toEqual([]);
  }, 240_000);
});

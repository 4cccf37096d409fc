import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  JobRegistry,
  newId,
  QUEUE_NAMES,
  redisConnection,
  SweepRequestSchema,
  type RunParams,
  type Scheduler,
  type TrainingJob,
  type TrainingJobResult,
  type TrainProgress,
} from '@cam/queue';
import { TINY_RUN as TINY_NET } from '@cam/queue/testing';
import { Queue, QueueEvents } from 'bullmq';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = resolve(import.meta.dirname, '../src/main.ts');

/** @cam/queue's tiny test run, complete: 3 epochs of Adam at 0.01, seed 7, a fifth held out. */
export const TINY_RUN: RunParams = {
  ...TINY_NET,
  dataset: 'mnist',
  epochs: 3,
  learningRate: 0.01,
  optimizer: 'adam',
  seed: 7,
  validationSplit: 0.2,
};

export interface ProgressEvent {
  jobId: string;
  progress: TrainProgress;
  at: number;
}

/** What one test's trainers share: unique BullMQ and registry prefixes, an artifacts folder, and event logs. */
export class TrainerHarness {
  readonly bullPrefix = `test-trainer-${process.pid}-${Date.now()}`;
  readonly registryPrefix = `${this.bullPrefix}-registry`;
  readonly artifactsDir = mkdtempSync(join(tmpdir(), 'cam-trainer-test-'));
  readonly redis = redisConnection(REDIS_URL);
  readonly queue = new Queue<TrainingJob, TrainingJobResult>(QUEUE_NAMES.training, {
    connection: this.redis,
    prefix: this.bullPrefix,
  });
  readonly events = new QueueEvents(QUEUE_NAMES.training, {
    connection: redisConnection(REDIS_URL),
    prefix: this.bullPrefix,
  });
  readonly registry = new JobRegistry(this.redis, { prefix: this.registryPrefix });
  readonly progress: ProgressEvent[] = [];
  readonly active = new Map<string, number>();
  readonly completed = new Map<string, number>();
  readonly output: string[] = [];
  private readonly children = new Set<ChildProcess>();

  constructor() {
    this.events.on('progress', ({ jobId, data }) =>
      this.progress.push({ jobId, progress: data as TrainProgress, at: Date.now() }),
    );
    this.events.on('active', ({ jobId }) => this.active.set(jobId, this.active.get(jobId) ?? Date.now()));
    this.events.on('completed', ({ jobId }) => this.completed.set(jobId, Date.now()));
  }

  async ready(): Promise<void> {
    await this.events.waitUntilReady();
  }

  /** Starts a real trainer process (src/main.ts through tsx) with short lock and stalled intervals. */
  startTrainer(name: string): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        REDIS_URL,
        BULL_PREFIX: this.bullPrefix,
        CAM_REGISTRY_PREFIX: this.registryPrefix,
        ARTIFACTS_DIR: this.artifactsDir,
        LOCK_DURATION_MS: '10000',
        STALLED_INTERVAL_MS: '2000',
        TRAIN_THREADS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (line) => this.output.push(`[${name}] ${line}`));
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Queues a TINY_RUN variant; `job` puts it in a given sweep and gives it the sweep's scheduler. */
  async addRun(
    params: Partial<RunParams> = {},
    job: { sweepId?: string; scheduler?: Scheduler } = {},
  ): Promise<string> {
    const runId = newId('run');
    const sweepId = job.sweepId ?? newId('sweep');
    const run = {
      id: runId,
      sweepId,
      createdAt: new Date().toISOString(),
      params: { ...TINY_RUN, ...params },
    };
    // The registry's run record, as the API writes it (the sweep record holds only this run).
    const request = SweepRequestSchema.parse({ name: 'test' });
    await this.registry.createSweep(
      { id: sweepId, name: 'test', createdAt: run.createdAt, request, runIds: [runId] },
      [run],
    );
    await this.queue.add(
      'train',
      { runId, sweepId, params: run.params, scheduler: job.scheduler },
      { jobId: runId, attempts: 3 },
    );
    return runId;
  }

  progressOf(jobId: string): ProgressEvent[] {
    return this.progress.filter((e) => e.jobId === jobId);
  }

  /** Polls `check` every 100 ms; on timeout fails with the trainers' output. */
  async until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.output.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await this.queue.obliterate({ force: true }).catch(() => undefined);
    await this.registry.clear();
    await this.events.close();
    await this.queue.close();
    this.redis.disconnect();
    rmSync(this.artifactsDir, { recursive: true, force: true });
  }
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

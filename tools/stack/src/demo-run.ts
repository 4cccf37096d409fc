import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { envText, isFinishedState, portFromEnv } from '@cam/queue';
import { ActivityLog } from './activity.js';
import { ApiClient, runFraction, type RunView } from '@cam/contracts';
import { removeQueueKeys } from './cleanup.js';
import { RunBars } from './progress-bars.js';
import { freePort } from './redis.js';
import { startStack, type Stack } from './stack.js';

export interface DemoOptions {
  /** Training images per run (a fifth of them is held out for validation). @defaultValue 6000 */
  trainSize?: number;
  /** @defaultValue 2 */
  epochs?: number;
  /** Smaller batches, more optimizer steps: 64 gives 150 over 2 epochs of 4,800 images (128 would give 76). @defaultValue 64 */
  batchSize?: number;
  /** One run per value. @defaultValue [0.001, 0.003] */
  learningRates?: number[];
  /** Test digits rendered from the better run. @defaultValue 16 */
  camCount?: number;
  /** @defaultValue './out' */
  outDir?: string;
  /** API port. @defaultValue process.env.PORT, else a free port */
  port?: number;
  /** Give up after this long (a safety net: on a shared, loaded machine training takes several times longer). @defaultValue 1800000 */
  timeoutMs?: number;
  /** @defaultValue 500 */
  pollMs?: number;
  /** Called once the stack runs, e.g. to stop it on a signal. @defaultValue nothing */
  onStackStarted?: (stack: Stack) => void;
}

export interface DemoResult {
  sweepId: string;
  runs: RunView[];
  bestRunId: string;
  overlapSeconds: number;
  files: string[];
  wallSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fixed-width text table of the runs. */
export function runTable(runs: RunView[], bestId: string): string {
  const pct = (v: number | null | undefined) => (typeof v === 'number' ? (100 * v).toFixed(2) : '-');
  const rows = runs.map((run) => {
    const m = run.metrics;
    return [
      run.id + (run.id === bestId ? ' *' : ''),
      String(run.params.learningRate),
      run.state,
      String(m?.epochsRun ?? '-'),
      pct(m?.trainAccuracy),
      pct(m?.validationAccuracy),
      pct(m?.testAccuracy),
      m === null ? '-' : m.wallSeconds.toFixed(1),
    ];
  });
  const header = ['run', 'lr', 'state', 'epochs', 'train %', 'val %', 'test %', 'wall s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function trainSweep(api: ApiClient, opts: Required<DemoOptions>, deadline: number) {
  const sweep = await api.createSweep({
    name: 'demo-learning-rate',
    dataset: 'mnist',
    arch: 'c3',
    trainSize: opts.trainSize,
    testSize: 1000,
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    seed: 1,
    grid: { learningRate: opts.learningRates },
  });
  console.log(`sweep ${sweep.id}: ${sweep.runs.length} runs (${sweep.runs.map((r) => r.id).join(', ')})`);
  const bars = new RunBars();
  const activity = new ActivityLog();
  let runs: RunView[];
  try {
    for (;;) {
      runs = await Promise.all(sweep.runs.map((r) => api.getRun(r.id)));
      for (const run of runs) {
        activity.observe(run.id, run.state);
        bars.update(run);
      }
      if (runs.every((run) => isFinishedState(run.state))) break;
      if (Date.now() > deadline) {
        const done = runs.map((run) => `${run.id} ${Math.round(100 * runFraction(run))}%`).join(', ');
        throw new Error(`the sweep did not finish within ${opts.timeoutMs / 1000} s (${done})`);
      }
      await sleep(opts.pollMs);
    }
  } finally {
    bars.stop();
  }
  return { sweepId: sweep.id, runs, overlapSeconds: activity.overlapMs() / 1000 };
}

async function renderBest(api: ApiClient, runId: string, opts: Required<DemoOptions>, deadline: number) {
  const indices = Array.from({ length: opts.camCount }, (_, i) => i);
  const { id } = await api.createCamBatch({
    runId,
    split: 'test',
    indices,
    method: 'cam',
    target: 'predicted',
    colormap: 'jet',
    size: 112,
  });
  for (;;) {
    const batch = await api.getCamBatch(id);
    if (batch.state === 'completed') return batch;
    if (batch.state === 'failed') throw new Error(`CAM batch ${id} failed`);
    if (Date.now() > deadline) throw new Error(`CAM batch ${id} did not finish in time`);
    await sleep(opts.pollMs);
  }
}

/**
 * The README's demo: starts the stack (child output to <outDir>/stack.log), trains a learning-rate sweep
 * through the HTTP API with a progress bar per run, renders CAMs of test digits from the better run into
 * <outDir>/, prints a table of the runs, and stops the stack.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const opts: Required<DemoOptions> = {
    trainSize: 6000,
    epochs: 2,
    batchSize: 64,
    learningRates: [0.001, 0.003],
    camCount: 16,
    outDir: './out',
    port: envText(process.env, 'PORT') === undefined ? await freePort() : portFromEnv(),
    timeoutMs: 1_800_000,
    pollMs: 500,
    onStackStarted: () => undefined,
    ...options,
  };
  const outDir = resolve(opts.outDir);
  await mkdir(outDir, { recursive: true });
  const logFile = join(outDir, 'stack.log');
  const log = createWriteStream(logFile);
  const deadline = started + opts.timeoutMs;
  // Own queue and registry keys: jobs left in a shared Redis by other runs do not mix with the demo's, and
  // the demo removes its keys when done (artifacts stay under ./artifacts).
  const bullPrefix = `cam-demo-${started}`;
  const registryPrefix = `${bullPrefix}-registry`;
  console.log(`starting the stack (API on port ${opts.port}, 2 trainers, 1 renderer; logs in ${logFile})`);
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      port: opts.port,
      trainers: 2,
      renderers: 1,
      env: { BULL_PREFIX: bullPrefix, CAM_REGISTRY_PREFIX: registryPrefix },
      supervisor: { onLine: (name, line) => log.write(`[${name}] ${line}\n`) },
    });
    opts.onStackStarted(stack);
    const api = new ApiClient(stack.apiUrl, { token: process.env.API_TOKEN });
    const sweep = await trainSweep(api, opts, deadline);
    const bestId = (await api.getSweep(sweep.sweepId)).best?.id;
    const best = sweep.runs.find((run) => run.id === bestId);
    if (!best) throw new Error(`no run completed: ${sweep.runs.map((r) => `${r.id} ${r.state}`).join(', ')}`);
    console.log(
      `\nbest run ${best.id} (lr ${best.params.learningRate}); rendering CAMs of test digits 0..${opts.camCount - 1}`,
    );
    const batch = await renderBest(api, best.id, opts, deadline);
    const batchDir = join(outDir, `cam-${batch.id}`);
    await mkdir(batchDir, { recursive: true });
    const urls = [
      ...(batch.montage ? [batch.montage] : []),
      ...batch.items.map((item) => item.png),
      ...(batch.npy ? [batch.npy] : []),
    ];
    const files: string[] = [];
    for (const url of urls) {
      const file = join(batchDir, basename(new URL(url, stack.apiUrl).pathname));
      await writeFile(file, new Uint8Array(await api.download(url)));
      files.push(file);
    }
    const result = {
      sweepId: sweep.sweepId,
      runs: sweep.runs,
      bestRunId: best.id,
      overlapSeconds: sweep.overlapSeconds,
      files,
      wallSeconds: (Date.now() - started) / 1000,
    };
    console.log(`\n${runTable(sweep.runs, best.id)}\n(* best by validation accuracy)`);
    console.log(`\nboth runs trained at the same time for ${result.overlapSeconds.toFixed(1)} s`);
    console.log(`montage: ${files[0]}\n${batch.items.length} item PNGs and cams.npy in ${batchDir}`);
    console.log(`total ${result.wallSeconds.toFixed(0)} s`);
    await writeFile(join(outDir, 'demo.json'), JSON.stringify(result, null, 2));
    return result;
  } finally {
    if (stack) {
      await stack.supervisor.stopAll();
      // A Redis the stack started goes away with its data; a shared one keeps nothing of the demo's queues.
      if (stack.redis.source !== 'spawned')
        await removeQueueKeys(stack.redis.url, bullPrefix, registryPrefix);
      await stack.stop();
    }
    log.end();
  }
}

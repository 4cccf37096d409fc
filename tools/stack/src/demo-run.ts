import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { envText, isFinishedState, portFromEnv, type SearchSpace } from '@cam/queue';
import { ActivityLog } from './activity.js';
import { ApiClient, runFraction, type RunView, type SweepView } from '@cam/contracts';
import { removeQueueKeys } from './cleanup.js';
import { RunBars } from './progress-bars.js';
import { freePort } from './redis.js';
import { startStack, type Stack } from './stack.js';

export interface DemoOptions {
  /** Training images per run (a fifth of them is held out for validation). @defaultValue 2500 */
  trainSize?: number;
  /** Epochs of a run that no rung stops. @defaultValue 6 */
  epochs?: number;
  /** Configurations drawn from DEMO_SPACE. @defaultValue 4 */
  samples?: number;
  /** Seed of the random search. @defaultValue 1 */
  seed?: number;
  /** Test digits rendered from the best run. @defaultValue 16 */
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

/**
 * What the demo searches: c3's learning rate, batch size and schedule. c3 needs a few hundred optimizer steps
 * before it leaves the 60 % region, so the space favours small batches and the rates that suit Adam there.
 */
export const DEMO_SPACE: SearchSpace = {
  learningRate: { loguniform: [1e-3, 1e-2] },
  batchSize: { choice: [16, 32, 64] },
  lrSchedule: { choice: ['constant', 'cosine'] },
};

/** ASHA on validation accuracy: rungs at epochs 2 and 4, half of the runs arriving at a rung go on. */
export const DEMO_SCHEDULER = {
  type: 'asha',
  metric: 'validationAccuracy',
  gracePeriod: 2,
  reductionFactor: 2,
} as const;

export interface DemoResult {
  sweepId: string;
  runs: RunView[];
  rungs: SweepView['rungs'];
  bestRunId: string;
  overlapSeconds: number;
  files: string[];
  wallSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each run's decisions at the rungs, e.g. "2:go 4:stop<0.8125" (went on at epoch 2, stopped at 4 below 0.8125). */
export function rungDecisions(rungs: SweepView['rungs']): Map<string, string> {
  const decisions = new Map<string, string[]>();
  for (const rung of rungs ?? []) {
    for (const e of rung.entries) {
      const text =
        e.action === 'continue' ? `${rung.epoch}:go` : `${rung.epoch}:stop<${e.cutoff?.toFixed(4)}`;
      decisions.set(e.runId, [...(decisions.get(e.runId) ?? []), text]);
    }
  }
  return new Map([...decisions].map(([runId, texts]) => [runId, texts.join(' ')]));
}

/** A fixed-width text table of the runs: parameters, state, epochs reached, accuracies and rung decisions. */
export function runTable(runs: RunView[], bestId: string, rungs: SweepView['rungs'] = null): string {
  const pct = (v: number | null | undefined) => (typeof v === 'number' ? (100 * v).toFixed(2) : '-');
  const decisions = rungDecisions(rungs);
  const rows = runs.map((run) => {
    const m = run.metrics;
    return [
      run.id + (run.id === bestId ? ' *' : ''),
      Number(run.params.learningRate.toPrecision(3)).toString(),
      String(run.params['batchSize'] ?? '-'),
      String(run.params['lrSchedule'] ?? '-'),
      run.state,
      String(m?.epochsRun ?? '-'),
      pct(m?.trainAccuracy),
      pct(m?.validationAccuracy),
      pct(m?.testAccuracy),
      m === null ? '-' : m.wallSeconds.toFixed(1),
      decisions.get(run.id) ?? '-',
    ];
  });
  const header = [
    'run',
    'lr',
    'batch',
    'schedule',
    'state',
    'epochs',
    'train %',
    'val %',
    'test %',
    'wall s',
    'rungs',
  ];
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
    name: 'demo-random-search-asha',
    dataset: 'mnist',
    arch: 'c3',
    trainSize: opts.trainSize,
    testSize: 1000,
    epochs: opts.epochs,
    seed: 1,
    space: DEMO_SPACE,
    search: { algorithm: 'random', samples: opts.samples, seed: opts.seed },
    scheduler: DEMO_SCHEDULER,
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
 * The README's demo: starts the stack (child output to <outDir>/stack.log), runs a seeded random search with
 * ASHA through the HTTP API with a progress bar per run, renders CAMs of test digits from the best run into
 * <outDir>/, prints a table of the runs, and stops the stack.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const opts: Required<DemoOptions> = {
    trainSize: 2500,
    epochs: 6,
    samples: 4,
    seed: 1,
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
    const { best: bestOfSweep, rungs } = await api.getSweep(sweep.sweepId);
    const bestId = bestOfSweep?.id;
    const best = sweep.runs.find((run) => run.id === bestId);
    if (!best) throw new Error(`no run completed: ${sweep.runs.map((r) => `${r.id} ${r.state}`).join(', ')}`);
    console.log(
      `\nbest run ${best.id} (lr ${best.params.learningRate}, batch ${String(best.params['batchSize'])}, ${String(best.params['lrSchedule'])}); rendering CAMs of test digits 0..${opts.camCount - 1}`,
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
      rungs,
      bestRunId: best.id,
      overlapSeconds: sweep.overlapSeconds,
      files,
      wallSeconds: (Date.now() - started) / 1000,
    };
    console.log(
      `\n${runTable(sweep.runs, best.id, rungs)}\n(* best by validation accuracy; rungs: epoch:go, or epoch:stop<cutoff of ASHA)`,
    );
    const epochsTrained = sweep.runs.reduce((n, run) => n + Number(run.metrics?.epochsRun ?? 0), 0);
    console.log(
      `\n${epochsTrained} epochs trained of ${opts.samples * opts.epochs} without early stopping; two runs trained at the same time for ${result.overlapSeconds.toFixed(1)} s of it`,
    );
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

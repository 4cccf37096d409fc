// `npm run bench:search`: the same seeded random search through the real service twice, without a scheduler
// and with ASHA; prints a table and one JSON line per arm (best validation / test accuracy, epochs, wall time).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiClient, isFinishedState, type RunView, type SweepRequestInput } from '@cam/contracts';
import { closeOnSignals } from '@cam/process';
import { removeQueueKeys } from './cleanup.js';
import { DEMO_SPACE } from './demo-run.js';
import { freePort } from './redis.js';
import { startStack } from './stack.js';

const USAGE = `usage: npm run bench:search -- [--configs N] [--train-size N] [--epochs N] [--trainers N] [--seed N]
  Defaults: --configs 24 --train-size 3000 --epochs 9 (about 30 min without a scheduler on 2 cores; ASHA's
  asynchronous rule promotes the first arrivals at a rung freely, so it needs this many configurations to bite).
  ASHA arm: rungs at epochs 1 and 3 (grace period 1, reduction factor 3) on validation accuracy.`;

interface ArmResult {
  arm: 'none' | 'asha';
  runs: number;
  stopped: number;
  epochs_trained: number;
  best_run: string;
  best_validation_accuracy: number;
  best_test_accuracy: number;
  wall_s: number;
}

function flags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      configs: { type: 'string', default: '24' },
      'train-size': { type: 'string', default: '3000' },
      epochs: { type: 'string', default: '9' },
      trainers: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
    },
    strict: true,
  });
  const int = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${name}: expected a positive integer, got '${text}'`);
    return n;
  };
  return {
    configs: int('configs', values.configs),
    trainSize: int('train-size', values['train-size']),
    epochs: int('epochs', values.epochs),
    trainers: int('trainers', values.trainers),
    seed: int('seed', values.seed),
  };
}

/** The CPU's model name and its widest vector extension, from /proc/cpuinfo. */
function cpuName(): string {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(info)?.[1] ?? 'unknown CPU';
  const vector = / avx512f /.test(info) ? 'AVX-512' : / avx2 /.test(info) ? 'AVX2' : 'no AVX2';
  return `${model} (${vector})`;
}

async function runArm(api: ApiClient, arm: ArmResult['arm'], request: SweepRequestInput) {
  const started = Date.now();
  const sweep = await api.createSweep(arm === 'asha' ? request : { ...request, scheduler: undefined });
  let runs: RunView[];
  for (;;) {
    runs = await Promise.all(sweep.runs.map((r) => api.getRun(r.id)));
    const done = runs.filter((r) => isFinishedState(r.state));
    process.stderr.write(`\r[${arm}] ${done.length}/${runs.length} runs finished`);
    if (done.length === runs.length) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  process.stderr.write('\n');
  const wall = (Date.now() - started) / 1000;
  const failed = runs.filter((r) => r.state === 'failed' || r.state === 'cancelled');
  if (failed.length > 0) throw new Error(`[${arm}] runs failed: ${failed.map((r) => r.id).join(', ')}`);
  const metric = (run: RunView, key: string) => Number(run.metrics?.[key] ?? Number.NaN);
  const best = runs.reduce((a, b) =>
    metric(b, 'validationAccuracy') > metric(a, 'validationAccuracy') ? b : a,
  );
  const result: ArmResult = {
    arm,
    runs: runs.length,
    stopped: runs.filter((r) => r.state === 'stopped').length,
    epochs_trained: runs.reduce((n, r) => n + metric(r, 'epochsRun'), 0),
    best_run: best.id,
    best_validation_accuracy: metric(best, 'validationAccuracy'),
    best_test_accuracy: metric(best, 'testAccuracy'),
    wall_s: Math.round(wall),
  };
  return { result, params: runs.map((r) => r.params), backend: String(best.metrics?.['backend'] ?? '?') };
}

const options = flags(process.argv.slice(2));
const request: SweepRequestInput = {
  name: 'bench-search',
  arch: 'c3',
  trainSize: options.trainSize,
  testSize: 1000,
  epochs: options.epochs,
  seed: 1,
  space: DEMO_SPACE,
  search: { algorithm: 'random', samples: options.configs, seed: options.seed },
  scheduler: { type: 'asha', metric: 'validationAccuracy', gracePeriod: 1, reductionFactor: 3 },
};
const bullPrefix = `cam-bench-search-${Date.now()}`;
const stack = await startStack({
  port: await freePort(),
  trainers: options.trainers,
  renderers: 0,
  env: { BULL_PREFIX: bullPrefix, CAM_REGISTRY_PREFIX: `${bullPrefix}-registry`, TRAIN_THREADS: '1' },
  supervisor: { onLine: () => undefined },
});
closeOnSignals(stack.stop, (line) => console.error(`[stack] ${line}`), 'stopping');
try {
  const api = new ApiClient(stack.apiUrl);
  const none = await runArm(api, 'none', request);
  const asha = await runArm(api, 'asha', request);
  if (JSON.stringify(none.params) !== JSON.stringify(asha.params))
    throw new Error('the two arms drew different configurations');
  console.log(
    `${options.configs} configs x ${options.epochs} epochs, ${options.trainSize} images (1/5 validation), ` +
      `${options.trainers} trainers; ${cpuName()}, backend ${none.backend}`,
  );
  const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
  const rows = [none.result, asha.result].map((r) =>
    [
      r.arm,
      String(r.runs),
      String(r.stopped),
      String(r.epochs_trained),
      pct(r.best_validation_accuracy),
      pct(r.best_test_accuracy),
      `${r.wall_s} s`,
    ].join(' | '),
  );
  console.log(
    ['scheduler | runs | stopped | epochs trained | best val | best test | wall', ...rows].join('\n'),
  );
  console.log(
    `ASHA: ${(100 * (asha.result.epochs_trained / none.result.epochs_trained)).toFixed(0)} % of the epochs, ` +
      `best validation ${(100 * (asha.result.best_validation_accuracy - none.result.best_validation_accuracy)).toFixed(2)} points from the full search's`,
  );
  for (const arm of [none.result, asha.result]) console.log(JSON.stringify(arm));
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exitCode = 1;
} finally {
  await stack.supervisor.stopAll();
  if (stack.redis.source !== 'spawned')
    await removeQueueKeys(stack.redis.url, bullPrefix, `${bullPrefix}-registry`);
  await stack.stop();
}

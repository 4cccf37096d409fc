/**
 * `npm run bench [-- --quick]`: c3 training, inference and CAM rendering on this project's stack (each
 * case in a fresh child process, so peak RSS is per case) and the PyTorch reference on the same images,
 * batch size and thread count; prints a table, one JSON line per case and implementation, and the ratios.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { datasetDir } from '@cam/dataset';
import { onednnAddon } from '@cam/model';
import { describeMachine, machineLine } from './machine.js';
import {
  type BenchOptions,
  type CaseName,
  KERNEL_SETS,
  type KernelSet,
  parseBenchArgs,
  USAGE,
  UsageError,
} from './options.js';
import { CASE_THREADS, REFERENCE_CASE } from './cases.js';
import { pytorchUnavailable, runPytorch } from './pytorch.js';
import { bestOfRounds, type BenchResult, formatTable, ratios } from './result.js';

const CASE_MAIN = fileURLToPath(new URL('./case-main.ts', import.meta.url));

function runOurCase(name: CaseName, o: BenchOptions, kernels: KernelSet): BenchResult {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', CASE_MAIN, name, String(o.batch), String(o.images)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      env: { ...process.env, CAM_WASM_KERNELS: kernels },
    },
  );
  const last = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('{'))
    throw new Error(`case ${name} (${kernels}) failed (exit ${child.status}):\n${child.stderr}`);
  const m = JSON.parse(last) as {
    backend: string;
    imagesPerSecond: number;
    peakRssMb: number;
    notes?: Record<string, number | string>;
  };
  return {
    case: name,
    impl: 'cam',
    backend: m.backend,
    threads: CASE_THREADS[name],
    batch: o.batch,
    images_per_s: Math.round(m.imagesPerSecond * 10) / 10,
    peak_rss_mb: Math.round(m.peakRssMb),
    ...(m.notes ? { notes: m.notes } : {}),
  };
}

/** The reference at every thread count our cases use, one row per case of ours (named after it). */
function referenceResults(o: BenchOptions): BenchResult[] {
  const threadCounts = [...new Set(o.cases.map((c) => CASE_THREADS[c]))].sort();
  const out: BenchResult[] = [];
  for (const threads of threadCounts) {
    process.stderr.write(`running the PyTorch reference (${threads} thread${threads > 1 ? 's' : ''}) ...\n`);
    const reference = runPytorch(threads, o.batch, o.images, datasetDir('mnist'));
    for (const name of o.cases.filter((c) => CASE_THREADS[c] === threads)) {
      const line = reference.find((r) => r.case === REFERENCE_CASE[name]);
      if (line === undefined) continue; // e.g. render-cam without OpenCV
      out.push({
        case: name,
        impl: 'pytorch',
        backend: `torch ${line.version} cpu, ${line.blas} blas`,
        threads,
        batch: o.batch,
        images_per_s: line.imagesPerSecond,
        peak_rss_mb: Math.round(line.peakRssMb),
      });
    }
  }
  return out;
}

function main(): void {
  const addon = onednnAddon();
  let o: BenchOptions;
  try {
    o = parseBenchArgs(process.argv.slice(2), addon.addon === undefined ? ['emitted'] : [...KERNEL_SETS]);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (addon.addon === undefined) process.stderr.write(`oneDNN kernels: unavailable (${addon.error})\n`);
  const missing = o.pytorch ? pytorchUnavailable() : 'skipped (--no-pytorch)';
  if (missing !== undefined) process.stderr.write(`PyTorch reference: ${missing}\n`);
  const ours = (): BenchResult[] =>
    o.cases.flatMap((name) =>
      o.kernels.map((kernels) => {
        process.stderr.write(
          `running ${name} (cam, ${kernels} kernels, ${o.images} images, batch ${o.batch}) ...\n`,
        );
        return runOurCase(name, o, kernels);
      }),
    );
  const reference = (): BenchResult[] => (missing === undefined ? referenceResults(o) : []);
  const rounds: BenchResult[][] = [];
  for (let round = 0; round < o.rounds; round++) {
    if (o.rounds > 1) process.stderr.write(`round ${round + 1} of ${o.rounds}\n`);
    // Each side goes first in every other round, so neither always meets the same part of any outside load.
    let mine: BenchResult[];
    let theirs: BenchResult[];
    if (round % 2 === 0) {
      mine = ours();
      theirs = reference();
    } else {
      theirs = reference();
      mine = ours();
    }
    rounds.push([...mine, ...theirs]);
  }
  const results = bestOfRounds(rounds);
  const machine = describeMachine(addon.addon?.info());
  process.stdout.write(`${machineLine(machine)}\n${formatTable(results)}\n`);
  for (const r of results) {
    for (const [key, value] of Object.entries(r.notes ?? {}))
      process.stdout.write(`${r.case} (${r.impl}): ${key} = ${value}\n`);
  }
  process.stdout.write('\n');
  process.stdout.write(`${JSON.stringify(machine)}\n`);
  for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
  for (const r of ratios(results)) {
    const line = { case: r.case, backend: r.backend, ratio_cam_over_pytorch: r.ratio };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  // The data-parallel goal is also stated against PyTorch on one thread.
  const torchOneThread = results.find((r) => r.case === 'train-c3' && r.impl === 'pytorch');
  for (const twoThreads of results.filter((r) => r.case === 'train-c3-2t' && r.impl === 'cam')) {
    if (torchOneThread === undefined) break;
    const ratio = Math.round((twoThreads.images_per_s / torchOneThread.images_per_s) * 100) / 100;
    const line = { case: 'train-c3-2t', backend: twoThreads.backend, ratio_cam_over_pytorch_1_thread: ratio };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

main();

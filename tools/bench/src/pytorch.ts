import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';

/**
 * The shared reference script: shared/ sits beside the repository (../shared from the repo root), or
 * `CAM_TORCH_SCRIPT` where it does not (a git worktree elsewhere).
 */
export const TORCH_SCRIPT =
  process.env.CAM_TORCH_SCRIPT ??
  resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/bench/torch_c3.py');

/**
 * Runs the script unchanged and then reports the process's peak RSS (one process measures every
 * reference case, so they share that figure) and the BLAS library torch loaded: Debian's libblas.so.3 is
 * an alternative, netlib's reference BLAS (…/blas/) unless e.g. libopenblas0-pthread is installed, and
 * it moves torch's training throughput by about 20 %.
 */
const RUNNER = `
import json, os, resource, runpy, sys
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
libs = {l.split()[-1] for l in open('/proc/self/maps') if l.rstrip().rsplit('/', 1)[-1].startswith('libblas.so')}
dirs = sorted({os.path.basename(os.path.dirname(os.path.realpath(p))) for p in libs})
blas = ','.join('netlib' if d == 'blas' else d for d in dirs) or 'none'
print(json.dumps({'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'blas': blas}))
`;

/** Why the reference cannot run here, or undefined when it can. */
export function pytorchUnavailable(): string | undefined {
  if (!existsSync(TORCH_SCRIPT)) return `${TORCH_SCRIPT} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return `${PYTHON} cannot import torch (apt-get install -y python3-torch python3-opencv)`;
  return undefined;
}

/** One reference case as the script reports it, with the peak RSS of its process. */
export interface TorchCase {
  case: string;
  version: string;
  imagesPerSecond: number;
  peakRssMb: number;
  /** The BLAS torch ran on: 'netlib' (reference), 'openblas-pthread', … */
  blas: string;
}

/** Runs the reference once with `threads` threads on the same images and batch size; returns its cases. */
export function runPytorch(threads: number, batch: number, images: number, imagesDir: string): TorchCase[] {
  const args = [
    '-c',
    RUNNER,
    TORCH_SCRIPT,
    '--images',
    imagesDir,
    '--threads',
    String(threads),
    '--batch',
    String(batch),
    '--n',
    String(images),
  ];
  // torch.set_num_threads covers OpenMP; OpenBLAS, when it is Debian's libblas, has its own pool (all cores).
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const run = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 24, env });
  if (run.status !== 0) throw new Error(`torch_c3.py failed (exit ${run.status}):\n${run.stderr}`);
  const lines = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map(
      (l) =>
        JSON.parse(l) as {
          case?: string;
          version?: string;
          images_per_s?: number;
          peak_rss_mb?: number;
          blas?: string;
        },
    );
  const summary = lines.find((l) => l.peak_rss_mb !== undefined);
  const peakRssMb = summary?.peak_rss_mb ?? NaN;
  const blas = summary?.blas ?? '?';
  return lines.flatMap((l) =>
    l.case !== undefined && l.images_per_s !== undefined
      ? [{ case: l.case, version: l.version ?? '?', imagesPerSecond: l.images_per_s, peakRssMb, blas }]
      : [],
  );
}

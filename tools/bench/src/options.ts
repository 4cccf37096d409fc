/** The wasm backend's convolution kernel sets a case can run on (CAM_WASM_KERNELS in its process). */
export const KERNEL_SETS = ['onednn', 'emitted'] as const;
export type KernelSet = (typeof KERNEL_SETS)[number];

/** Benchmark cases this tool knows; `train-c3-2t` is data-parallel training on two threads. */
export const CASES = ['train-c3', 'train-c3-2t', 'infer-c3', 'render-cam'] as const;
export type CaseName = (typeof CASES)[number];

export interface BenchOptions {
  /** Cases to run. @defaultValue every case in {@link CASES} */
  cases: CaseName[];
  /** Images per batch, on both sides. @defaultValue 128 */
  batch: number;
  /** Images per case (the first N MNIST training images). @defaultValue 2048, 128 with --quick */
  images: number;
  /** Run the PyTorch reference when /usr/bin/python3 can import torch. @defaultValue true */
  pytorch: boolean;
  /**
   * Rounds of every case on both sides, alternating which side goes first; each reports its best round,
   * since load from elsewhere on a shared machine only ever slows a round down. @defaultValue 3, 1 with --quick
   */
  rounds: number;
  /**
   * Kernel sets each of our cases runs on, one row each, so that both paths stay measured.
   * @defaultValue both; only 'emitted' where the oneDNN addon is unavailable
   */
  kernels: KernelSet[];
}

export const USAGE = `usage: npm run bench -- [--quick] [--cases train-c3,infer-c3,render-cam] [--batch 128] [--images N] [--rounds N] [--no-pytorch]
  --quick        128 images (one timed batch) per case instead of 2048, and one round: a smoke run
  --cases LIST   comma-separated subset of: ${CASES.join(', ')}
  --batch N      images per batch on both sides (default 128)
  --images N     images per case (default 2048)
  --rounds N     rounds of every case on both sides, each side reporting its best (default 3)
  --no-pytorch   skip the PyTorch reference (../shared/bench/torch_c3.py)
  --kernels LIST comma-separated subset of: ${KERNEL_SETS.join(', ')} (default: both, or emitted without the oneDNN addon)`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function positiveInteger(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag}: expected a positive integer, got '${value ?? ''}'`);
  return n;
}

/** A comma-separated list of names from `known`, or a usage error naming the flag. */
function namesFrom<T extends string>(flag: string, value: string | undefined, known: readonly T[]): T[] {
  const names = (value ?? '').split(',').filter((s) => s !== '');
  const unknown = names.filter((n) => !(known as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0)
    throw new UsageError(`${flag}: unknown name(s) '${unknown.join(',')}' (known: ${known.join(', ')})`);
  return names as T[];
}

/**
 * Parses the command line (flags only); bad flags throw {@link UsageError} naming the flag.
 * @param defaultKernels the kernel sets without --kernels (the caller knows whether the addon loads)
 */
export function parseBenchArgs(argv: string[], defaultKernels: KernelSet[] = [...KERNEL_SETS]): BenchOptions {
  const o: BenchOptions = {
    cases: [...CASES],
    batch: 128,
    images: 2048,
    pytorch: true,
    rounds: 3,
    kernels: defaultKernels,
  };
  let imagesGiven = false;
  let roundsGiven = false;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case '--quick':
        quick = true;
        break;
      case '--no-pytorch':
        o.pytorch = false;
        break;
      case '--batch':
        o.batch = positiveInteger(flag, argv[++i]);
        break;
      case '--images':
        o.images = positiveInteger(flag, argv[++i]);
        imagesGiven = true;
        break;
      case '--rounds':
        o.rounds = positiveInteger(flag, argv[++i]);
        roundsGiven = true;
        break;
      case '--cases':
        o.cases = namesFrom(flag, argv[++i], CASES);
        break;
      case '--kernels':
        o.kernels = namesFrom(flag, argv[++i], KERNEL_SETS);
        break;
      default:
        throw new UsageError(`unknown flag '${flag}'`);
    }
  }
  if (quick && !imagesGiven) o.images = 128;
  if (quick && !roundsGiven) o.rounds = 1;
  if (o.images < o.batch)
    throw new UsageError(`--images (${o.images}) must be at least --batch (${o.batch})`);
  return o;
}

/** A numeric `--name value` flag of the side scripts (profile.ts, kernels.ts, threads.ts), or `fallback`. */
export function numberFlag(argv: string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  return at < 0 ? fallback : Number(argv[at + 1]);
}

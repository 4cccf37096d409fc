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
}

export const USAGE = `usage: npm run bench -- [--quick] [--cases train-c3,infer-c3,render-cam] [--batch 128] [--images N] [--rounds N] [--no-pytorch]
  --quick        128 images (one timed batch) per case instead of 2048, and one round: a smoke run
  --cases LIST   comma-separated subset of: ${CASES.join(', ')}
  --batch N      images per batch on both sides (default 128)
  --images N     images per case (default 2048)
  --rounds N     rounds of every case on both sides, each side reporting its best (default 3)
  --no-pytorch   skip the PyTorch reference (../shared/bench/torch_c3.py)`;

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

function isCaseName(name: string): name is CaseName {
  return (CASES as readonly string[]).includes(name);
}

/** Parses the command line (flags only); bad flags throw {@link UsageError} naming the flag. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const o: BenchOptions = { cases: [...CASES], batch: 128, images: 2048, pytorch: true, rounds: 3 };
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
      case '--cases': {
        const names = (argv[++i] ?? '').split(',').filter((s) => s !== '');
        const unknown = names.filter((n) => !isCaseName(n));
        if (names.length === 0 || unknown.length > 0) {
          throw new UsageError(
            `--cases: unknown case(s) '${unknown.join(',')}' (known: ${CASES.join(', ')})`,
          );
        }
        o.cases = names as CaseName[];
        break;
      }
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

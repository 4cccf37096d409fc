import { describe, expect, it } from 'vitest';
import { CASES, parseBenchArgs, UsageError } from '../src/options.js';
import { bestOfRounds, type BenchResult, formatTable, ratios } from '../src/result.js';

describe('bench command line', () => {
  it('defaults to every case, batch 128, 2048 images, 3 rounds, with the PyTorch reference', () => {
    expect(parseBenchArgs([])).toEqual({
      cases: [...CASES],
      batch: 128,
      images: 2048,
      pytorch: true,
      rounds: 3,
      kernels: ['onednn', 'emitted'],
    });
  });

  it("runs the kernel sets given, or the caller's default (emitted only without the addon)", () => {
    expect(parseBenchArgs(['--kernels', 'emitted']).kernels).toEqual(['emitted']);
    expect(parseBenchArgs([], ['emitted']).kernels).toEqual(['emitted']);
  });

  it('--quick shrinks the image count and rounds unless they are given', () => {
    expect(parseBenchArgs(['--quick'])).toMatchObject({ images: 128, rounds: 1 });
    expect(parseBenchArgs(['--quick', '--images', '1024', '--rounds', '2'])).toMatchObject({
      images: 1024,
      rounds: 2,
    });
  });

  it('takes a subset of cases and --no-pytorch', () => {
    const o = parseBenchArgs(['--cases', 'infer-c3,render-cam', '--no-pytorch', '--batch', '64']);
    expect(o).toMatchObject({ cases: ['infer-c3', 'render-cam'], pytorch: false, batch: 64 });
  });

  it.each([
    [['--cases', 'train-c9'], /--cases: unknown name\(s\) 'train-c9'/],
    [['--kernels', 'onednn,mkl'], /--kernels: unknown name\(s\) 'mkl'/],
    [['--batch', '0'], /--batch: expected a positive integer, got '0'/],
    [['--rounds', '1.5'], /--rounds: expected a positive integer, got '1.5'/],
    [['--images'], /--images: expected a positive integer, got ''/],
    [['--images', '64', '--batch', '128'], /--images \(64\) must be at least --batch \(128\)/],
    [['--fast'], /unknown flag '--fast'/],
  ])('rejects %j with a usage error naming the flag', (argv, message) => {
    expect(() => parseBenchArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseBenchArgs(argv as string[])).toThrow(message as RegExp);
  });
});

describe('bench report', () => {
  const row = (c: string, impl: 'cam' | 'pytorch', ips: number): BenchResult => ({
    case: c,
    impl,
    backend: impl === 'cam' ? 'wasm' : 'torch cpu',
    threads: 1,
    batch: 128,
    images_per_s: ips,
    peak_rss_mb: 500,
  });

  it('computes cam/pytorch per case only where both sides ran', () => {
    const results = [
      row('train-c3', 'cam', 90),
      row('train-c3', 'pytorch', 150),
      row('infer-c3', 'cam', 300),
    ];
    expect(ratios(results)).toEqual([{ case: 'train-c3', backend: 'wasm', ratio: 0.6 }]);
  });

  it('keeps the best round of each case and implementation, with every round and the highest RSS', () => {
    const rounds = [
      [row('train-c3', 'cam', 90), { ...row('train-c3', 'pytorch', 150), peak_rss_mb: 610 }],
      [row('train-c3', 'cam', 80), row('train-c3', 'pytorch', 160)],
    ];
    expect(bestOfRounds(rounds)).toEqual([
      { ...row('train-c3', 'cam', 90), rounds_images_per_s: [90, 80] },
      { ...row('train-c3', 'pytorch', 160), peak_rss_mb: 610, rounds_images_per_s: [150, 160] },
    ]);
    expect(bestOfRounds([rounds[0]!])).toEqual(rounds[0]);
  });

  it('gives each of our kernel sets its own row, round and ratio', () => {
    const emitted = (ips: number) => ({ ...row('train-c3', 'cam', ips), backend: 'wasm+emitted' });
    const onednn = (ips: number) => ({ ...row('train-c3', 'cam', ips), backend: 'wasm+onednn' });
    const results = bestOfRounds([
      [onednn(200), emitted(90), row('train-c3', 'pytorch', 160)],
      [onednn(210), emitted(80), row('train-c3', 'pytorch', 150)],
    ]);
    expect(results.map((r) => [r.backend, r.images_per_s])).toEqual([
      ['wasm+onednn', 210],
      ['wasm+emitted', 90],
      ['torch cpu', 160],
    ]);
    expect(ratios(results)).toEqual([
      { case: 'train-c3', backend: 'wasm+onednn', ratio: 1.31 },
      { case: 'train-c3', backend: 'wasm+emitted', ratio: 0.56 },
    ]);
    const table = formatTable(results).split('\n');
    expect(table[2]).toMatch(/wasm\+onednn .* 1\.31$/);
    expect(table[3]).toMatch(/wasm\+emitted .* 0\.56$/);
  });

  it('prints one table row per result with the ratio on our row', () => {
    const table = formatTable([row('train-c3', 'cam', 90), row('train-c3', 'pytorch', 150)]).split('\n');
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(/^case\s+impl\s+backend/);
    expect(table[2]).toMatch(/train-c3\s+cam\s+wasm\s+1\s+128\s+90\.0\s+500\s+0\.60$/);
    expect(table[3]).toMatch(/train-c3\s+pytorch\s+torch cpu\s+1\s+128\s+150\.0\s+500\s*$/);
  });
});

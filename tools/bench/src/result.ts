/** One measured case of one implementation, printed as a JSON line. */
export interface BenchResult {
  case: string;
  impl: 'cam' | 'pytorch';
  backend: string;
  threads: number;
  batch: number;
  images_per_s: number;
  peak_rss_mb: number;
  /** Case-specific extras (e.g. the share of render time spent outside inference). */
  notes?: Record<string, number | string>;
  /** images_per_s of every round, in order, when there was more than one (images_per_s is their best). */
  rounds_images_per_s?: number[];
}

/** Our rows differ by kernel set (backend `wasm+onednn` or `wasm+emitted`), the reference's by case. */
const resultKey = (r: BenchResult): string => `${r.case}/${r.impl}/${r.backend}`;

/**
 * One result per case, implementation and backend from several rounds: the best round's (highest images/s, with
 * its notes), the highest peak RSS of any round, and every round's throughput.
 */
export function bestOfRounds(rounds: BenchResult[][]): BenchResult[] {
  if (rounds.length === 1) return rounds[0]!;
  const keys = [...new Set(rounds.flat().map(resultKey))];
  return keys.map((k) => {
    const runs = rounds.flatMap((round) => round.filter((r) => resultKey(r) === k));
    const best = runs.reduce((a, b) => (b.images_per_s > a.images_per_s ? b : a));
    return {
      ...best,
      peak_rss_mb: Math.max(...runs.map((r) => r.peak_rss_mb)),
      rounds_images_per_s: runs.map((r) => r.images_per_s),
    };
  });
}

/** cam / pytorch throughput for each of our rows (one per case and kernel set) whose case both sides measured. */
export function ratios(results: BenchResult[]): { case: string; backend: string; ratio: number }[] {
  return results
    .filter((r) => r.impl === 'cam')
    .flatMap((ours) => {
      const theirs = results.find((r) => r.case === ours.case && r.impl === 'pytorch');
      if (theirs === undefined) return [];
      const ratio = Math.round((ours.images_per_s / theirs.images_per_s) * 100) / 100;
      return [{ case: ours.case, backend: ours.backend, ratio }];
    });
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

/** A plain-text table: one row per case and implementation, then the ratio per case. */
export function formatTable(results: BenchResult[]): string {
  const header = ['case', 'impl', 'backend', 'threads', 'batch', 'images/s', 'peak RSS MB', 'cam/pytorch'];
  const ratioOf = new Map(ratios(results).map((r) => [`${r.case}/${r.backend}`, r.ratio]));
  const rows = results.map((r) => [
    r.case,
    r.impl,
    r.backend,
    String(r.threads),
    String(r.batch),
    r.images_per_s.toFixed(1),
    r.peak_rss_mb.toFixed(0),
    ratioOf.get(`${r.case}/${r.backend}`)?.toFixed(2) ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [
    pad(header, widths),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((row) => pad(row, widths)),
  ].join('\n');
}

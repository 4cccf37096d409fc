import { runFraction, type EpochRecord, type RunSummary } from '@cam/contracts';
import { paramText } from './format.js';

/** A run row of the sweep page: the sweep's summary plus the history once known. */
export interface RunRow {
  run: RunSummary;
  /** Per-epoch records: from the run's metrics.json once completed, or live where the API reports them. */
  history: EpochRecord[];
}

/**
 * The per-epoch history a run summary carries, where the API reports one while training (read defensively:
 * older APIs send none).
 */
export function liveHistory(run: RunSummary): EpochRecord[] {
  const history = (run as { history?: unknown }).history;
  return Array.isArray(history) ? (history as EpochRecord[]) : [];
}

/** Validation accuracy of the latest epoch, or null. */
export function latestValAccuracy(row: RunRow): number | null {
  return row.history.at(-1)?.valAccuracy ?? null;
}

/** The best validation accuracy: the run's kept value once completed, else the best epoch so far. */
export function bestValAccuracy(row: RunRow): number | null {
  const kept = row.run.summary?.validationAccuracy;
  if (kept != null) return kept;
  const values = row.history.map((e) => e.valAccuracy).filter((v): v is number => typeof v === 'number');
  return values.length > 0 ? Math.max(...values) : null;
}

/** Names of the parameters whose values differ between the runs (the ones a sweep varies), in key order. */
export function varyingParams(runs: RunSummary[]): string[] {
  const first = runs[0];
  if (first === undefined) return [];
  const names = new Set(runs.flatMap((run) => Object.keys(run.params)));
  return [...names].filter((name) => {
    const texts = new Set(runs.map((run) => paramText((run.params as Record<string, unknown>)[name])));
    return texts.size > 1;
  });
}

export type SortKey = 'id' | 'state' | 'progress' | 'latest' | 'best' | `param:${string}`;
export interface Sort {
  key: SortKey;
  descending: boolean;
}

const STATE_ORDER = ['active', 'queued', 'completed', 'failed', 'cancelled', 'stopped'];

function sortValue(row: RunRow, key: SortKey): number | string | null {
  if (key === 'id') return row.run.id;
  if (key === 'state') return STATE_ORDER.indexOf(row.run.state);
  if (key === 'progress') return runFraction(row.run);
  if (key === 'latest') return latestValAccuracy(row);
  if (key === 'best') return bestValAccuracy(row);
  const value = (row.run.params as Record<string, unknown>)[key.slice('param:'.length)];
  return typeof value === 'number' ? value : value === undefined ? null : paramText(value);
}

/** The rows sorted by `sort`; rows without a value go last either way, ties keep their order. */
export function sortRows(rows: RunRow[], sort: Sort): RunRow[] {
  const sign = sort.descending ? -1 : 1;
  return rows
    .map((row, i) => ({ row, i, value: sortValue(row, sort.key) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null)
        return a.value === b.value ? a.i - b.i : a.value === null ? 1 : -1;
      const order =
        typeof a.value === 'number' && typeof b.value === 'number'
          ? a.value - b.value
          : String(a.value).localeCompare(String(b.value));
      return order === 0 ? a.i - b.i : sign * order;
    })
    .map(({ row }) => row);
}

/** The sort after clicking column `key`: the same column flips direction, a new one starts descending. */
export function nextSort(current: Sort, key: SortKey): Sort {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: key !== 'id' };
}

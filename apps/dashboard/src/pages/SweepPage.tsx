import { useMemo, useRef, useState } from 'preact/hooks';
import { isFinishedState, type EpochRecord, type SweepView } from '@cam/contracts';
import { client, noteError, useOperations, useStream } from '../api.js';
import { Chart } from '../components/Chart.js';
import { ErrorNote, Loading, RunProgress, StateBadge, StateCountsView } from '../components/common.js';
import { curvesOption, parallelOption } from '../lib/chart-options.js';
import { dateTime, paramText, pct } from '../lib/format.js';
import { href } from '../lib/routes.js';
import {
  bestValAccuracy,
  latestValAccuracy,
  liveHistory,
  nextSort,
  sortRows,
  varyingParams,
  type RunRow,
  type Sort,
  type SortKey,
} from '../lib/runs.js';

export function SweepPage({ id }: { id: string }) {
  const [sweep, setSweep] = useState<SweepView>();
  const [histories, setHistories] = useState<Record<string, EpochRecord[]>>({});
  const requested = useRef(new Set<string>());
  const [sort, setSort] = useState<Sort>({ key: 'id', descending: false });
  const [actionError, setActionError] = useState<Error>();
  const operations = useOperations();

  const streamError = useStream(
    (signal) => client.sweepEvents(id, signal),
    (view: SweepView) => {
      setSweep(view);
      // A completed run's curves come from its metrics.json, fetched once per run.
      for (const run of view.runs) {
        if (run.state !== 'completed' || requested.current.has(run.id)) continue;
        requested.current.add(run.id);
        client
          .getRun(run.id)
          .then((full) => setHistories((h) => ({ ...h, [run.id]: full.metrics?.history ?? [] })), noteError);
      }
    },
    [id],
  );

  const rows: RunRow[] = useMemo(
    () =>
      (sweep?.runs ?? []).map((run) => {
        const live = liveHistory(run);
        return { run, history: histories[run.id] ?? live };
      }),
    [sweep, histories],
  );
  const params = useMemo(() => varyingParams(sweep?.runs ?? []), [sweep]);
  const sorted = useMemo(() => sortRows(rows, sort), [rows, sort]);
  const accuracyOption = useMemo(() => curvesOption(rows, 'valAccuracy', 'validation accuracy'), [rows]);
  const lossOption = useMemo(() => curvesOption(rows, 'valLoss', 'validation loss'), [rows]);
  const parallel = useMemo(
    () =>
      parallelOption(rows, params, (row) => (row.run.state === 'completed' ? bestValAccuracy(row) : null)),
    [rows, params],
  );

  if (sweep === undefined)
    return streamError ? <ErrorNote error={streamError} /> : <Loading what={`sweep ${id}`} />;

  const act = async (action: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      const answer = await action();
      if (answer && typeof answer === 'object' && 'runs' in answer) setSweep(answer as SweepView);
    } catch (error) {
      noteError(error);
      setActionError(error as Error);
    }
  };
  const unfinished = sweep.runs.some((run) => !isFinishedState(run.state));
  const canCancelRun = operations.has('post /v1/runs/{id}/cancel');
  const canRetry = operations.has('post /v1/sweeps/{id}/retry') && sweep.states.failed > 0;
  const hasCurves = rows.some((row) => row.history.length > 0);
  const completed = rows.filter((row) => row.run.state === 'completed').length;
  const sortHeader = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="sort" onClick={() => setSort(nextSort(sort, key))}>
        {label}
        <span aria-hidden="true">{sort.key === key ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
      </button>
    </th>
  );
  const rungs = (sweep as { rungs?: unknown }).rungs;

  return (
    <>
      <nav aria-label="breadcrumb" class="crumbs">
        <a href={href({ page: 'sweeps', offset: 0 })}>Sweeps</a> / <span class="mono">{sweep.id}</span>
      </nav>
      <h1>{sweep.name}</h1>
      <p>
        created {dateTime(sweep.createdAt)} · <StateCountsView states={sweep.states} /> · best{' '}
        {sweep.best ? (
          <a href={href({ page: 'run', id: sweep.best.id })}>
            {sweep.best.id} ({pct(sweep.best.validationAccuracy, 2)} val)
          </a>
        ) : (
          '–'
        )}
        {unfinished && (
          <span class="live" role="status">
            {' '}
            · live
          </span>
        )}
      </p>
      <div class="actions">
        {unfinished && (
          <button type="button" class="danger" onClick={() => void act(() => client.cancelSweep(sweep.id))}>
            Cancel sweep
          </button>
        )}
        {canRetry && (
          <button type="button" onClick={() => void act(() => client.retrySweep(sweep.id))}>
            Retry failed runs
          </button>
        )}
      </div>
      <ErrorNote error={actionError ?? streamError} />

      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Runs ({sweep.runs.length})</h2>
        <div class="table-scroll">
          <table class="data">
            <thead>
              <tr>
                {sortHeader('id', 'run')}
                {sortHeader('state', 'state')}
                {params.map((name) => sortHeader(`param:${name}`, name))}
                {sortHeader('progress', 'progress')}
                {sortHeader('latest', 'latest val acc')}
                {sortHeader('best', 'best val acc')}
                {canCancelRun && <th scope="col">actions</th>}
              </tr>
            </thead>
            <tbody>
              {sorted.map((row) => (
                <tr key={row.run.id}>
                  <td>
                    <a class="mono" href={href({ page: 'run', id: row.run.id })}>
                      {row.run.id}
                    </a>
                    {sweep.best?.id === row.run.id && <span class="badge best">best</span>}
                  </td>
                  <td>
                    <StateBadge state={row.run.state} />
                  </td>
                  {params.map((name) => (
                    <td key={name}>{paramText((row.run.params as Record<string, unknown>)[name])}</td>
                  ))}
                  <td>
                    <RunProgress run={row.run} />
                  </td>
                  <td>{pct(latestValAccuracy(row), 2)}</td>
                  <td>{pct(bestValAccuracy(row), 2)}</td>
                  {canCancelRun && (
                    <td>
                      {!isFinishedState(row.run.state) && (
                        <button
                          type="button"
                          class="small danger"
                          onClick={() => void act(() => client.cancelRun(row.run.id))}
                          aria-label={`cancel run ${row.run.id}`}
                        >
                          Cancel
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="curves-heading">
        <h2 id="curves-heading">Learning curves</h2>
        {hasCurves ? (
          <div class="chart-pair">
            <Chart option={accuracyOption} label="validation accuracy by epoch, one line per run" />
            <Chart option={lossOption} label="validation loss by epoch, one line per run" />
          </div>
        ) : (
          <p class="muted">Curves appear as runs report their epochs.</p>
        )}
      </section>

      <section aria-labelledby="parallel-heading">
        <h2 id="parallel-heading">Parameters → final validation accuracy</h2>
        {params.length > 0 && completed > 0 ? (
          <Chart
            option={parallel}
            label="parallel coordinates of the varied parameters and final validation accuracy"
          />
        ) : (
          <p class="muted">
            {params.length === 0 ? 'The runs share all parameters.' : 'Shown once a run has completed.'}
          </p>
        )}
      </section>

      {Array.isArray(rungs) && rungs.length > 0 && <RungTable rungs={rungs as Record<string, unknown>[]} />}
    </>
  );
}

/** The scheduler's rungs, as the API reports them (columns from the records' own keys). */
function RungTable({ rungs }: { rungs: Record<string, unknown>[] }) {
  const columns = [...new Set(rungs.flatMap((rung) => Object.keys(rung)))];
  return (
    <section aria-labelledby="rungs-heading">
      <h2 id="rungs-heading">Scheduler rungs</h2>
      <div class="table-scroll">
        <table class="data">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rungs.map((rung, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c}>{paramText(rung[c])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

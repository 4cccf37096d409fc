import { useMemo, useState } from 'preact/hooks';
import {
  ApiError,
  CAM_METHOD_NAMES,
  COLORMAP_NAMES,
  isFinishedState,
  LIMITS,
  type CamBatchRequestInput,
  type RunView,
} from '@cam/contracts';
import { client, noteError, useApi, useStream } from '../api.js';
import { Chart } from '../components/Chart.js';
import { DownloadButton, ErrorNote, Field, Loading, RunProgress, StateBadge } from '../components/common.js';
import { confusionOption, runCurvesOption } from '../lib/chart-options.js';
import { heatmapCells, parseConfusionCsv } from '../lib/confusion.js';
import { paramText, pct } from '../lib/format.js';
import { issuesByField, parseIndices } from '../lib/issues.js';
import { href } from '../lib/routes.js';

/** The events of a run that already finished: none. */
async function* noEvents(): AsyncGenerator<never> {
  // nothing to follow
}

export function RunPage({ id }: { id: string }) {
  const { data: run, error, reload } = useApi(() => client.getRun(id), [id]);
  const [live, setLive] = useState<Pick<RunView, 'state' | 'progress'>>();
  const following = run !== undefined && !isFinishedState(run.state);
  useStream(
    (signal) => (following ? client.runEvents(id, signal) : noEvents()),
    (message) => {
      if (message.event === 'progress')
        setLive((l) => ({ state: l?.state ?? 'active', progress: message.data }));
      else {
        setLive((l) => ({ state: message.data.state, progress: l?.progress ?? null }));
        if (isFinishedState(message.data.state)) reload();
      }
    },
    [id, following],
  );
  const confusion = useApi(
    async () =>
      run?.artifacts.includes('confusion-test.csv')
        ? parseConfusionCsv(
            new TextDecoder().decode(await client.download(`/v1/runs/${id}/artifacts/confusion-test.csv`)),
          )
        : null,
    [id, run?.artifacts.length],
  );
  const history = run?.metrics?.history;
  const curves = useMemo(() => (history && history.length > 0 ? runCurvesOption(history) : null), [history]);
  const heat = useMemo(
    () => (confusion.data ? confusionOption(heatmapCells(confusion.data), confusion.data.length) : null),
    [confusion.data],
  );
  if (run === undefined) return error ? <ErrorNote error={error} /> : <Loading what={`run ${id}`} />;
  const state = live && !isFinishedState(run.state) ? live.state : run.state;
  const progress = live?.progress ?? run.progress;
  const m = run.metrics;
  return (
    <>
      <nav aria-label="breadcrumb" class="crumbs">
        <a href={href({ page: 'sweeps', offset: 0 })}>Sweeps</a> /{' '}
        <a class="mono" href={href({ page: 'sweep', id: run.sweepId })}>
          {run.sweepId}
        </a>{' '}
        / <span class="mono">{run.id}</span>
      </nav>
      <h1>
        Run <span class="mono">{run.id}</span> <StateBadge state={state} />
      </h1>
      {!isFinishedState(state) && (
        <RunProgress
          run={{
            id: run.id,
            state,
            params: run.params,
            progress,
            summary: null,
            failure: run.failure,
            history: run.history,
            stoppedAtEpoch: run.stoppedAtEpoch,
          }}
        />
      )}
      <div class="two-columns">
        <section aria-labelledby="metrics-heading">
          <h2 id="metrics-heading">Metrics</h2>
          {m ? (
            <dl class="pairs">
              <dt>train accuracy</dt>
              <dd>{pct(m.trainAccuracy, 2)}</dd>
              <dt>validation accuracy</dt>
              <dd>{pct(m.validationAccuracy, 2)}</dd>
              <dt>test accuracy</dt>
              <dd>{pct(m.testAccuracy, 2)}</dd>
              <dt>test loss</dt>
              <dd>{m.testLoss.toFixed(4)}</dd>
              <dt>epochs run</dt>
              <dd>{m.epochsRun}</dd>
              <dt>wall time</dt>
              <dd>{m.wallSeconds.toFixed(1)} s</dd>
            </dl>
          ) : (
            <p class="muted">Written when the run completes.</p>
          )}
        </section>
        <section aria-labelledby="params-heading">
          <h2 id="params-heading">Parameters</h2>
          <dl class="pairs">
            {Object.entries(run.params).map(([name, value]) => [
              <dt key={`${name}-k`}>{name}</dt>,
              <dd key={`${name}-v`}>{paramText(value)}</dd>,
            ])}
          </dl>
        </section>
      </div>
      {curves && (
        <section aria-labelledby="run-curves-heading">
          <h2 id="run-curves-heading">Curves</h2>
          <Chart option={curves} label="training and validation accuracy and loss by epoch" />
        </section>
      )}
      {heat && (
        <section aria-labelledby="confusion-heading">
          <h2 id="confusion-heading">Test confusion matrix</h2>
          <Chart option={heat} height={420} label="test confusion matrix, true class by predicted class" />
        </section>
      )}
      <ErrorNote error={confusion.error} />
      {run.artifacts.length > 0 && (
        <section aria-labelledby="artifacts-heading">
          <h2 id="artifacts-heading">Artifacts</h2>
          <ul class="artifacts">
            {run.artifacts.map((name) => (
              <li key={name}>
                <DownloadButton url={`/v1/runs/${run.id}/artifacts/${encodeURIComponent(name)}`} name={name}>
                  {name}
                </DownloadButton>
              </li>
            ))}
          </ul>
        </section>
      )}
      {run.state === 'completed' && <RenderCamsForm runId={run.id} />}
    </>
  );
}

const CAM_FIELDS = ['split', 'indices', 'method', 'target', 'colormap', 'alpha', 'size'] as const;

function RenderCamsForm({ runId }: { runId: string }) {
  const [values, setValues] = useState({
    split: 'test',
    indices: '0-15',
    method: 'cam',
    target: 'predicted',
    colormap: 'jet',
    alpha: '0.5',
    size: '112',
  });
  const [issues, setIssues] = useState<Map<string, string[]>>(new Map());
  const [busy, setBusy] = useState(false);
  const set = (name: keyof typeof values) => (event: Event) => {
    // Read now: the updater runs later, and several inputs may land before the next render.
    const value = (event.currentTarget as HTMLInputElement).value;
    setValues((current) => ({ ...current, [name]: value }));
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    const indices = parseIndices(values.indices, LIMITS.maxCamItems);
    if (typeof indices === 'string') {
      setIssues(new Map([['indices', [indices]]]));
      return;
    }
    const target = /^\d+$/.test(values.target) ? Number(values.target) : values.target;
    const request = {
      runId,
      split: values.split,
      indices,
      method: values.method,
      target,
      colormap: values.colormap,
      alpha: Number(values.alpha),
      size: Number(values.size),
    } as CamBatchRequestInput;
    setBusy(true);
    try {
      const { id } = await client.createCamBatch(request);
      location.hash = href({ page: 'cam-batch', id, compare: [] });
    } catch (error) {
      noteError(error);
      if (error instanceof ApiError && error.issues.length > 0)
        setIssues(issuesByField(error.issues, CAM_FIELDS));
      else setIssues(new Map([['', [(error as Error).message]]]));
    } finally {
      setBusy(false);
    }
  };
  const select = (name: keyof typeof values, options: readonly (string | number)[]) => (
    <select id={`cam-${name}`} value={values[name]} onChange={set(name)}>
      {options.map((o) => (
        <option key={o}>{o}</option>
      ))}
    </select>
  );
  const input = (name: keyof typeof values, attrs: Record<string, unknown> = {}) => (
    <input
      id={`cam-${name}`}
      value={values[name]}
      onInput={set(name)}
      aria-invalid={issues.get(name) ? 'true' : undefined}
      aria-describedby={issues.get(name) ? `cam-${name}-error` : undefined}
      {...attrs}
    />
  );
  return (
    <section aria-labelledby="render-heading" class="card">
      <h2 id="render-heading">Render CAMs</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div class="form-grid">
          <Field id="cam-split" label="Split" errors={issues.get('split')}>
            {select('split', ['test', 'train'])}
          </Field>
          <Field id="cam-indices" label="Indices" errors={issues.get('indices')} hint="e.g. 0-15, 42">
            {input('indices')}
          </Field>
          <Field id="cam-method" label="Method" errors={issues.get('method')}>
            {select('method', CAM_METHOD_NAMES)}
          </Field>
          <Field id="cam-target" label="Target class" errors={issues.get('target')}>
            {select('target', ['predicted', 'label', ...Array.from({ length: 10 }, (_, i) => i)])}
          </Field>
          <Field id="cam-colormap" label="Colour map" errors={issues.get('colormap')}>
            {select('colormap', COLORMAP_NAMES)}
          </Field>
          <Field id="cam-alpha" label="Alpha" errors={issues.get('alpha')}>
            {input('alpha', { type: 'number', step: 0.05, min: 0, max: 1 })}
          </Field>
          <Field id="cam-size" label="Size (px)" errors={issues.get('size')}>
            {input('size', { type: 'number', step: 1, min: LIMITS.minCamSize, max: LIMITS.maxCamSize })}
          </Field>
        </div>
        {issues.get('')?.map((m) => (
          <p key={m} class="field-error" role="alert">
            {m}
          </p>
        ))}
        <button type="submit" disabled={busy}>
          {busy ? 'Queuing…' : 'Render'}
        </button>
      </form>
    </section>
  );
}

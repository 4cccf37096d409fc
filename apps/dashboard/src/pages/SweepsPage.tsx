import { useEffect, useState } from 'preact/hooks';
import {
  ApiError,
  ARCH_PRESET_NAMES,
  DATASET_NAMES,
  LIMITS,
  OPTIMIZER_NAMES,
  RUN_PARAM_DEFAULTS,
  type SweepList,
  type SweepRequestInput,
} from '@cam/contracts';
import { client, noteError, useApi } from '../api.js';
import { ErrorNote, Field, Loading, ProgressBar, StateCountsView } from '../components/common.js';
import { dateTime, pct } from '../lib/format.js';
import { issuesByField, parseNumberList } from '../lib/issues.js';
import { href } from '../lib/routes.js';

const PAGE_SIZE = 20;

function finishedShare(states: SweepList['sweeps'][number]['states']): number {
  const total = Object.values(states).reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : (total - states.queued - states.active) / total;
}

export function SweepsPage({ offset }: { offset: number }) {
  const { data, error, reload } = useApi(() => client.listSweeps({ offset, limit: PAGE_SIZE }), [offset]);
  const unfinished = data?.sweeps.some((s) => s.states.queued + s.states.active > 0) ?? false;
  // One list request every 5 s while a listed sweep still runs; a sweep's own page streams its changes.
  useEffect(() => {
    if (!unfinished) return;
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [unfinished, reload]);
  return (
    <>
      <h1>Sweeps</h1>
      <NewSweepForm onCreated={(id) => (location.hash = href({ page: 'sweep', id }))} />
      <section aria-labelledby="sweep-list-heading">
        <h2 id="sweep-list-heading">All sweeps {data && <span class="muted">({data.total})</span>}</h2>
        <ErrorNote error={error} />
        {data === undefined && error === undefined && <Loading what="sweeps" />}
        {data && data.sweeps.length === 0 && (
          <p class="muted">No sweeps yet: start one with the form above.</p>
        )}
        {data && data.sweeps.length > 0 && (
          <div class="table-scroll">
            <table class="data">
              <caption class="visually-hidden">Sweeps, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">name</th>
                  <th scope="col">created</th>
                  <th scope="col">runs</th>
                  <th scope="col">best val acc</th>
                  <th scope="col">progress</th>
                </tr>
              </thead>
              <tbody>
                {data.sweeps.map((sweep) => (
                  <tr key={sweep.id}>
                    <td>
                      <a href={href({ page: 'sweep', id: sweep.id })}>{sweep.name}</a>{' '}
                      <span class="muted mono">{sweep.id}</span>
                    </td>
                    <td>{dateTime(sweep.createdAt)}</td>
                    <td>
                      <StateCountsView states={sweep.states} />
                    </td>
                    <td>
                      {sweep.best ? (
                        <a href={href({ page: 'run', id: sweep.best.id })}>
                          {pct(sweep.best.validationAccuracy, 2)}
                        </a>
                      ) : (
                        '–'
                      )}
                    </td>
                    <td>
                      <ProgressBar
                        fraction={finishedShare(sweep.states)}
                        label={`runs finished in ${sweep.name}`}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data && data.total > PAGE_SIZE && (
          <nav class="pager" aria-label="pages of sweeps">
            {offset > 0 && (
              <a href={href({ page: 'sweeps', offset: Math.max(0, offset - PAGE_SIZE) })}>← newer</a>
            )}
            <span>
              {offset + 1}–{Math.min(data.total, offset + PAGE_SIZE)} of {data.total}
            </span>
            {offset + PAGE_SIZE < data.total && (
              <a href={href({ page: 'sweeps', offset: offset + PAGE_SIZE })}>older →</a>
            )}
          </nav>
        )}
      </section>
    </>
  );
}

/** The form's fields, by the request path the API names in its 400 answers. */
const FIELDS = [
  'name',
  'dataset',
  'arch',
  'trainSize',
  'testSize',
  'epochs',
  'batchSize',
  'learningRate',
  'optimizer',
  'seed',
  'validationSplit',
  'grid.learningRate',
  'grid.batchSize',
  'grid.seed',
  'grid',
] as const;
type FieldName = (typeof FIELDS)[number];

const NUMBER_FIELDS = [
  'trainSize',
  'testSize',
  'epochs',
  'batchSize',
  'learningRate',
  'seed',
  'validationSplit',
] as const;
const GRID_FIELDS = ['learningRate', 'batchSize', 'seed'] as const;

function NewSweepForm({ onCreated }: { onCreated: (id: string) => void }) {
  const [values, setValues] = useState<Record<string, string>>(() => ({
    name: '',
    dataset: RUN_PARAM_DEFAULTS.dataset,
    arch: RUN_PARAM_DEFAULTS.arch,
    optimizer: RUN_PARAM_DEFAULTS.optimizer,
    ...Object.fromEntries(NUMBER_FIELDS.map((f) => [f, String(RUN_PARAM_DEFAULTS[f])])),
    'grid.learningRate': '0.001, 0.003',
    'grid.batchSize': '',
    'grid.seed': '',
    extra: '',
  }));
  const [issues, setIssues] = useState<Map<string, string[]>>(new Map());
  const [busy, setBusy] = useState(false);
  const set = (name: string) => (event: Event) => {
    // Read now: the updater runs later, and several inputs may land before the next render.
    const value = (event.currentTarget as HTMLInputElement).value;
    setValues((current) => ({ ...current, [name]: value }));
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    let extra: Record<string, unknown> = {};
    if (values.extra?.trim()) {
      try {
        extra = JSON.parse(values.extra) as Record<string, unknown>;
      } catch (error) {
        setIssues(new Map([['extra', [`not JSON: ${(error as Error).message}`]]]));
        return;
      }
    }
    const grid: Record<string, number[]> = {};
    for (const name of GRID_FIELDS) {
      const list = parseNumberList(values[`grid.${name}`] ?? '');
      if (list.length > 0) grid[name] = list;
    }
    const request = {
      name: values.name,
      dataset: values.dataset,
      arch: values.arch,
      optimizer: values.optimizer,
      ...Object.fromEntries(NUMBER_FIELDS.map((f) => [f, Number(values[f])])),
      grid,
      ...extra,
    } as SweepRequestInput;
    setBusy(true);
    try {
      const created = await client.createSweep(request);
      setIssues(new Map());
      onCreated(created.id);
    } catch (error) {
      noteError(error);
      if (error instanceof ApiError && error.issues.length > 0)
        setIssues(issuesByField(error.issues, FIELDS));
      else setIssues(new Map([['', [(error as Error).message]]]));
    } finally {
      setBusy(false);
    }
  };

  const errors = (name: FieldName | 'extra' | '') => issues.get(name);
  const input = (name: FieldName, attrs: Record<string, unknown> = {}) => (
    <input
      id={`sweep-${name}`}
      name={name}
      value={values[name]}
      onInput={set(name)}
      aria-invalid={errors(name) ? 'true' : undefined}
      aria-describedby={errors(name) ? `sweep-${name}-error` : undefined}
      {...attrs}
    />
  );
  const select = (name: FieldName, options: readonly string[]) => (
    <select id={`sweep-${name}`} name={name} value={values[name]} onChange={set(name)}>
      {options.map((o) => (
        <option key={o}>{o}</option>
      ))}
    </select>
  );
  return (
    <section aria-labelledby="new-sweep-heading" class="card">
      <h2 id="new-sweep-heading">New sweep</h2>
      <form onSubmit={(e) => void submit(e)} noValidate aria-describedby="new-sweep-help">
        <p id="new-sweep-help" class="muted">
          Base parameters for every run; each grid list multiplies the runs (at most {LIMITS.maxSweepRuns}).
        </p>
        <div class="form-grid">
          <Field id="sweep-name" label="Name" errors={errors('name')}>
            {input('name', { required: true, placeholder: 'lr search' })}
          </Field>
          <Field id="sweep-dataset" label="Dataset" errors={errors('dataset')}>
            {select('dataset', DATASET_NAMES)}
          </Field>
          <Field id="sweep-arch" label="Architecture" errors={errors('arch')}>
            {select('arch', ARCH_PRESET_NAMES)}
          </Field>
          <Field id="sweep-optimizer" label="Optimizer" errors={errors('optimizer')}>
            {select('optimizer', OPTIMIZER_NAMES)}
          </Field>
          {NUMBER_FIELDS.map((name) => (
            <Field key={name} id={`sweep-${name}`} label={name} errors={errors(name)}>
              {input(name, { inputMode: 'decimal' })}
            </Field>
          ))}
        </div>
        <fieldset>
          <legend>Grid (comma-separated values; empty: not varied)</legend>
          <div class="form-grid">
            {GRID_FIELDS.map((name) => (
              <Field
                key={name}
                id={`sweep-grid.${name}`}
                label={`grid ${name}`}
                errors={errors(`grid.${name}`)}
              >
                {input(`grid.${name}`, { placeholder: name === 'learningRate' ? '0.001, 0.003' : '' })}
              </Field>
            ))}
          </div>
          {errors('grid') && <ErrorList messages={errors('grid')} />}
        </fieldset>
        <Field
          id="sweep-extra"
          label="More fields (JSON, merged into the request)"
          errors={errors('extra')}
          hint='e.g. {"patience": 2} or, where the API has them, a search space and a scheduler'
        >
          <textarea id="sweep-extra" rows={2} value={values.extra} onInput={set('extra')} />
        </Field>
        {errors('') && <ErrorList messages={errors('')} />}
        <button type="submit" disabled={busy}>
          {busy ? 'Starting…' : 'Start sweep'}
        </button>
      </form>
    </section>
  );
}

function ErrorList({ messages }: { messages: string[] | undefined }) {
  return (
    <div role="alert">
      {messages?.map((m) => (
        <p key={m} class="field-error">
          {m}
        </p>
      ))}
    </div>
  );
}

import type { ComponentChildren } from 'preact';
import { ApiError, runFraction, type JobState, type RunSummary, type StateCounts } from '@cam/contracts';
import { client, useFileUrl } from '../api.js';

/** A failed request as an alert (the API's message, not a stack). */
export function ErrorNote({ error }: { error: Error | undefined }) {
  if (error === undefined) return null;
  const text =
    error instanceof ApiError
      ? `${error.code}: ${error.message.replace(/^HTTP \d+ \S+: /, '')}`
      : error.message;
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function StateBadge({ state }: { state: JobState | string }) {
  return <span class={`badge state-${state}`}>{state}</span>;
}

/** Counts of runs per state, the non-zero ones. */
export function StateCountsView({ states }: { states: StateCounts }) {
  const shown = Object.entries(states).filter(([, n]) => n > 0);
  return (
    <span class="states">
      {shown.map(([state, n]) => (
        <span key={state} class={`badge state-${state}`}>
          {n} {state}
        </span>
      ))}
    </span>
  );
}

export function ProgressBar({ fraction, label }: { fraction: number; label: string }) {
  return (
    <span class="progress">
      <progress max={1} value={fraction} aria-label={label} />
      <span class="progress-text">{Math.round(100 * fraction)} %</span>
    </span>
  );
}

export function RunProgress({ run }: { run: RunSummary }) {
  const p = run.progress;
  const detail = p && run.state === 'active' ? ` epoch ${p.epoch}/${p.epochs}` : '';
  return (
    <span>
      <ProgressBar fraction={runFraction(run)} label={`progress of run ${run.id}`} />
      <span class="muted">{detail}</span>
    </span>
  );
}

/** An image served by the API (fetched with the token). */
export function ApiImage({
  url,
  alt,
  ...rest
}: {
  url: string;
  alt: string;
  class?: string;
  width?: number;
  height?: number;
}) {
  const src = useFileUrl(url, 'image/png');
  return src === undefined ? (
    <span class="img-placeholder" role="img" aria-label={alt} />
  ) : (
    <img src={src} alt={alt} {...rest} />
  );
}

/** A button that downloads an API file with the token and saves it under `name`. */
export function DownloadButton({
  url,
  name,
  children,
}: {
  url: string;
  name: string;
  children: ComponentChildren;
}) {
  const save = async () => {
    const bytes = await client.download(url);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([bytes]));
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  };
  return (
    <button type="button" class="link-button" onClick={() => void save()}>
      {children}
    </button>
  );
}

/** A labelled form field with the API's messages about it under it. */
export function Field({
  id,
  label,
  errors,
  children,
  hint,
}: {
  id: string;
  label: string;
  errors: string[] | undefined;
  children: ComponentChildren;
  hint?: string;
}) {
  return (
    <div class={errors ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {children}
      {hint && <small class="muted">{hint}</small>}
      {errors && (
        // One element per field: aria-describedby names its id, and ids are unique.
        <small id={`${id}-error`} class="field-error" role="alert">
          {errors.join('; ')}
        </small>
      )}
    </div>
  );
}

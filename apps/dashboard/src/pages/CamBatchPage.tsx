import { useEffect, useState } from 'preact/hooks';
import { ApiError, CAM_METHOD_NAMES, isFinishedState, type CamBatchView } from '@cam/contracts';
import { client, noteError, useApi, useFileUrl } from '../api.js';
import { ApiImage, DownloadButton, ErrorNote, Loading, StateBadge } from '../components/common.js';
import { mapValueAt, parseNpyFloat32 } from '../lib/npy.js';
import { href } from '../lib/routes.js';

type Item = CamBatchView['items'][number];

/** A batch, re-read every second until rendered (one small request; renders take seconds). */
function useBatch(id: string) {
  const loaded = useApi(() => client.getCamBatch(id), [id]);
  const pending = loaded.data !== undefined && !isFinishedState(loaded.data.state);
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(loaded.reload, 1000);
    return () => clearTimeout(timer);
  }, [pending, loaded.data, loaded.reload]);
  return loaded;
}

export function CamBatchPage({ id, compare }: { id: string; compare: string[] }) {
  const { data: batch, error } = useBatch(id);
  const [actionError, setActionError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  if (batch === undefined) return error ? <ErrorNote error={error} /> : <Loading what={`CAM batch ${id}`} />;

  /** Queues the same digits under every other method, then shows them side by side. */
  const startComparison = async () => {
    const { settings } = batch;
    if (settings.indices === null || settings.split === null) return;
    setBusy(true);
    try {
      const others = CAM_METHOD_NAMES.filter((method) => method !== settings.method);
      const created = await Promise.all(
        others.map((method) =>
          client.createCamBatch({
            runId: batch.runId,
            split: settings.split ?? 'test',
            indices: settings.indices ?? [],
            method,
            target: settings.target,
            colormap: settings.colormap,
            size: settings.size,
            alpha: settings.alpha,
          }),
        ),
      );
      location.hash = href({ page: 'cam-batch', id, compare: created.map((c) => c.id) });
    } catch (err) {
      noteError(err);
      setActionError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const comparing = compare.length > 0;
  return (
    <>
      <nav aria-label="breadcrumb" class="crumbs">
        <a href={href({ page: 'sweeps', offset: 0 })}>Sweeps</a> /{' '}
        <a class="mono" href={href({ page: 'run', id: batch.runId })}>
          {batch.runId}
        </a>{' '}
        / <span class="mono">{batch.id}</span>
      </nav>
      <h1>
        CAM batch <span class="mono">{batch.id}</span> <StateBadge state={batch.state} />
      </h1>
      <p>
        {batch.settings.method} · target {String(batch.settings.target)} · {batch.settings.colormap} ·{' '}
        {batch.settings.size} px · alpha {batch.settings.alpha}
        {batch.settings.split && ` · ${batch.settings.split} images`}
      </p>
      <div class="actions">
        {comparing ? (
          <a class="button" href={href({ page: 'cam-batch', id, compare: [] })}>
            Back to the gallery
          </a>
        ) : (
          batch.settings.indices !== null && (
            <button
              type="button"
              disabled={busy || batch.state !== 'completed'}
              onClick={() => void startComparison()}
            >
              {busy ? 'Queuing…' : 'Compare methods'}
            </button>
          )
        )}
        {batch.montage && (
          <DownloadButton url={batch.montage} name={`${batch.id}-montage.png`}>
            montage.png
          </DownloadButton>
        )}
        {batch.npy && (
          <DownloadButton url={batch.npy} name={`${batch.id}-cams.npy`}>
            cams.npy
          </DownloadButton>
        )}
      </div>
      <ErrorNote error={actionError} />
      {comparing ? <Comparison ids={[id, ...compare]} /> : <Gallery batch={batch} />}
      {!comparing && <DropToExplain batch={batch} />}
    </>
  );
}

function className(item: Item): string {
  const truth = item.label === null ? '' : `true ${item.label} · `;
  return `${truth}predicted ${item.predicted}${item.target !== item.predicted ? ` · map of ${item.target}` : ''}`;
}

function Probabilities({ values }: { values: number[] | undefined }) {
  if (values === undefined) return null;
  return (
    <ol class="probabilities" aria-label="class probabilities">
      {values.map((p, cls) => (
        <li key={cls} title={`class ${cls}: ${(100 * p).toFixed(1)} %`}>
          <span class="bar" style={{ height: `${Math.max(1, 100 * p)}%` }} />
          <span class="cls">{cls}</span>
        </li>
      ))}
    </ol>
  );
}

function Gallery({ batch }: { batch: CamBatchView }) {
  const [open, setOpen] = useState<number | null>(null);
  if (batch.state !== 'completed')
    return batch.state === 'failed' ? (
      <p class="error" role="alert">
        The render failed.
      </p>
    ) : (
      <Loading what="the maps" />
    );
  return (
    <section aria-labelledby="gallery-heading">
      <h2 id="gallery-heading">Gallery</h2>
      <ul class="gallery">
        {batch.items.map((item, i) => (
          <li key={i}>
            <figure>
              <button
                type="button"
                class="thumb"
                onClick={() => setOpen(i)}
                aria-label={`enlarge item ${item.index}: ${className(item)}`}
              >
                <ApiImage
                  url={item.png}
                  alt={`CAM of image ${item.index}, ${className(item)}`}
                  width={112}
                  height={112}
                />
              </button>
              <figcaption>
                <span class="mono">#{item.index}</span> {className(item)}
                {item.probabilities && (
                  <span class="muted">
                    {' '}
                    ({(100 * (item.probabilities[item.predicted] ?? 0)).toFixed(1)} %)
                  </span>
                )}
                <Probabilities values={item.probabilities} />
              </figcaption>
            </figure>
          </li>
        ))}
      </ul>
      {open !== null && batch.items[open] && (
        <Enlarged batch={batch} index={open} onClose={() => setOpen(null)} />
      )}
    </section>
  );
}

/** One overlay large, with the raw map value (from cams.npy) under the pointer. */
function Enlarged({ batch, index, onClose }: { batch: CamBatchView; index: number; onClose: () => void }) {
  const item = batch.items[index] as Item;
  const npy = useApi(
    async () => (batch.npy ? parseNpyFloat32(await client.download(batch.npy)) : null),
    [batch.npy],
  );
  const [value, setValue] = useState<number | null>(null);
  const src = useFileUrl(item.png, 'image/png');
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const onMove = (event: MouseEvent) => {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const fx = (event.clientX - box.left) / box.width;
    const fy = (event.clientY - box.top) / box.height;
    setValue(npy.data ? mapValueAt(npy.data, index, fx, fy) : null);
  };
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="enlarged-title">
      <div class="dialog">
        <h3 id="enlarged-title">
          Image #{item.index}: {className(item)}
        </h3>
        {src && (
          <img
            class="large"
            src={src}
            alt={`CAM of image ${item.index}, enlarged`}
            onMouseMove={onMove}
            onMouseLeave={() => setValue(null)}
          />
        )}
        <p role="status" class="mono">
          {npy.data === undefined
            ? 'loading cams.npy…'
            : value === null
              ? 'point at the map to read its raw value'
              : `raw map value ${value.toPrecision(4)} (map ${npy.data?.shape.slice(1).join('×')})`}
        </p>
        <Probabilities values={item.probabilities} />
        <button type="button" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </div>
  );
}

/** The same digits under several methods: one row per digit, one column per batch. */
function Comparison({ ids }: { ids: string[] }) {
  const batches = ids.map((id) => useBatch(id));
  const ready = batches.map((b) => b.data);
  const first = ready[0];
  return (
    <section aria-labelledby="compare-heading">
      <h2 id="compare-heading">Methods side by side</h2>
      <div class="table-scroll">
        <table class="compare">
          <thead>
            <tr>
              <th scope="col">image</th>
              {ready.map((b, i) => (
                <th key={ids[i]} scope="col">
                  {b ? b.settings.method : '…'}{' '}
                  {b && b.state !== 'completed' && <StateBadge state={b.state} />}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(first?.items ?? []).map((item, row) => (
              <tr key={row}>
                <th scope="row">
                  <span class="mono">#{item.index}</span>
                  <br />
                  <small>{className(item)}</small>
                </th>
                {ready.map((b, col) => {
                  const cell = b?.state === 'completed' ? b.items[row] : undefined;
                  return (
                    <td key={ids[col]}>
                      {cell ? (
                        <ApiImage
                          url={cell.png}
                          alt={`${b?.settings.method} map of image ${cell.index}`}
                          width={112}
                          height={112}
                        />
                      ) : (
                        <span class="img-placeholder" role="img" aria-label="rendering" />
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {batches.map((b, i) => (
        <ErrorNote key={ids[i]} error={b.error} />
      ))}
    </section>
  );
}

/** Drop (or pick) a PNG digit to explain it with this batch's run and settings. */
function DropToExplain({ batch }: { batch: CamBatchView }) {
  const [error, setError] = useState<Error>();
  const [over, setOver] = useState(false);
  const explain = async (file: File | undefined) => {
    if (file === undefined) return;
    setError(undefined);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      const { settings } = batch;
      const { id } = await client.createCamBatch({
        runId: batch.runId,
        images: [btoa(binary)],
        method: settings.method,
        target: settings.target === 'label' ? 'predicted' : settings.target,
        colormap: settings.colormap,
        size: settings.size,
        alpha: settings.alpha,
      });
      location.hash = href({ page: 'cam-batch', id, compare: [] });
    } catch (err) {
      noteError(err);
      setError(err instanceof ApiError ? err : (err as Error));
    }
  };
  return (
    <section aria-labelledby="drop-heading">
      <h2 id="drop-heading">Explain your own digit</h2>
      <div
        class={over ? 'dropzone over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void explain(e.dataTransfer?.files[0]);
        }}
      >
        <label for="own-digit">Drop a PNG of a digit here, or choose one:</label>{' '}
        <input
          id="own-digit"
          type="file"
          accept="image/png"
          onChange={(e) => void explain((e.currentTarget as HTMLInputElement).files?.[0])}
        />
      </div>
      <ErrorNote error={error} />
    </section>
  );
}

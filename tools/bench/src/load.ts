/**
 * Load benchmark of the HTTP API: a real API process on real Redis (a real trainer trains one tiny run first, so
 * that CAM batches can be asked of it), then scenarios of autocannon traffic while 100 SSE streams stay open and
 * largest-size CAM uploads arrive in parallel, with /healthz probed throughout. Prints a table and JSON.
 *
 *   npm run bench:load [-- --duration 20]
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { LIMITS } from '@cam/queue';
import { largestUploadPng, noiseUploadPng } from '@cam/cam/upload';
import { MAX_SIZE } from '@cam/cam/upload-rules';
import { startLoadStack, type LoadStack } from './load-stack.js';

const durationArg = process.argv.indexOf('--duration');
const DURATION_S = durationArg > 0 ? Number(process.argv[durationArg + 1]) : 20;
const SSE_STREAMS = 100;

interface Row {
  scenario: string;
  target_rate: number | null;
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  ok: number;
  not_ok: number;
  errors: number;
  /** The API's event loop delay over the scenario (the /healthz rows): p99 and max of a 10 ms timer's lateness. */
  loop_p99_ms?: number;
  loop_max_ms?: number;
}

function cpuName(): string {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(info)?.[1] ?? 'unknown CPU';
  const flags = /flags\s*:\s*(.*)/.exec(info)?.[1]?.split(' ') ?? [];
  const vector = flags.filter((f) => /^(avx2|avx512f|avx512bw|avx512vl|avx512_vnni)$/.test(f));
  return `${model}, ${availableParallelism()} cores, ${vector.join(' ')}`;
}

async function postJson(base: string, route: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function getJson<T>(base: string, route: string): Promise<T> {
  return (await (await fetch(`${base}${route}`)).json()) as T;
}

/** A request of LIMITS.maxCamItems copies of one PNG. */
function uploadBody(runId: string, png: Buffer): string {
  const image = png.toString('base64');
  return JSON.stringify({ runId, images: Array.from({ length: LIMITS.maxCamItems }, () => image) });
}

/**
 * The two largest uploads the API accepts, one per upload client: the costliest to decode (PNGs of the largest
 * side, 16-bit RGBA, one grey: 0.7 MB) and the most bytes (noise PNGs, as large as fit LIMITS.maxRequestBytes).
 */
function largestUploads(runId: string): { kind: string; body: string }[] {
  let side = Math.floor(Math.sqrt(LIMITS.maxRequestBytes / LIMITS.maxCamItems / 4));
  while (Buffer.byteLength(uploadBody(runId, noiseUploadPng(side))) > LIMITS.maxRequestBytes) side--;
  return [
    { kind: `${MAX_SIZE}x${MAX_SIZE} 16-bit RGBA`, body: uploadBody(runId, largestUploadPng()) },
    { kind: `${side}x${side} RGB noise`, body: uploadBody(runId, noiseUploadPng(side)) },
  ];
}

/** Trains one tiny run with a real trainer process; returns its id once completed. */
async function trainTinyRun(stack: LoadStack): Promise<string> {
  const { body } = await postJson(stack.base, '/v1/sweeps', {
    name: 'bench-tiny',
    arch: 'c2',
    trainSize: 200,
    testSize: 100,
    epochs: 1,
    batchSize: 50,
  });
  const runId = (body['runs'] as { id: string }[])[0]!.id;
  const trainer = stack.trainer();
  const deadline = Date.now() + 180_000;
  while ((await getJson<{ state: string }>(stack.base, `/v1/runs/${runId}`)).state !== 'completed') {
    if (Date.now() > deadline) throw new Error(`run ${runId} did not complete in 180 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await trainer.stop();
  return runId;
}

/** Opens SSE streams; each records when its first event arrived. */
function openStreams(base: string, runIds: string[]) {
  const abort = new AbortController();
  const firstEventMs: number[] = [];
  let open = 0;
  let failed = 0;
  const done = runIds.map(async (runId) => {
    const started = performance.now();
    let opened = false;
    try {
      const res = await fetch(`${base}/v1/runs/${runId}/events`, { signal: abort.signal });
      if (!res.ok || res.body === null) throw new Error(`status ${res.status}`);
      opened = true;
      open += 1;
      const reader = res.body.getReader();
      const { done: ended } = await reader.read();
      if (!ended) firstEventMs.push(performance.now() - started);
      while (!(await reader.read()).done);
      opened = false;
      open -= 1;
    } catch {
      if (!abort.signal.aborted) failed += 1;
      if (opened) open -= 1;
    }
  });
  return {
    stats: () => ({ open, failed, firstEventMs: [...firstEventMs] }),
    async close() {
      abort.abort();
      await Promise.all(done);
    },
  };
}

/** Keeps one client per upload sending it until stopped; counts the answers by upload and status. */
function uploadLoop(base: string, uploads: { kind: string; body: string }[]) {
  let stopped = false;
  const statuses: Record<string, number> = {};
  const durationsMs: number[] = [];
  const loops = uploads.map(async ({ kind, body }) => {
    while (!stopped) {
      const started = performance.now();
      const res = await fetch(`${base}/v1/cam-batches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).catch(() => null);
      const key = `${kind}: ${res === null ? 'error' : res.status}`;
      await res?.arrayBuffer();
      statuses[key] = (statuses[key] ?? 0) + 1;
      durationsMs.push(performance.now() - started);
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return { statuses, durationsMs };
    },
  };
}

function row(scenario: string, rate: number | null, r: autocannon.Result): Row {
  return {
    scenario,
    target_rate: rate,
    req_per_s: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    ok: r['2xx'],
    not_ok: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

/**
 * The API's event loop delay since the previous call, from its /metrics (prom-client resets the histogram on
 * each scrape): it tells a blocked event loop from a process waiting for a core.
 */
async function eventLoopDelay(base: string): Promise<{ loop_p99_ms: number; loop_max_ms: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const ms = (name: string) =>
    Math.round(1000 * Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]));
  return {
    loop_p99_ms: ms('nodejs_eventloop_lag_p99_seconds'),
    loop_max_ms: ms('nodejs_eventloop_lag_max_seconds'),
  };
}

/**
 * One scenario with /healthz probed at 20 req/s alongside it. The probe runs in a thread of its own (autocannon's
 * `workers`), as do the scenarios that need no callback: on this process's event loop they would also time its
 * own work (100 SSE streams, 8 MB upload bodies, other answers to parse) as the API's latency.
 */
async function scenario(
  base: string,
  name: string,
  rate: number | null,
  options: autocannon.Options,
): Promise<Row[]> {
  await eventLoopDelay(base);
  const [main, health] = await Promise.all([
    autocannon({ duration: DURATION_S, ...options }),
    autocannon({ url: `${base}/healthz`, connections: 1, overallRate: 20, duration: DURATION_S, workers: 1 }),
  ]);
  const loop = await eventLoopDelay(base);
  return [row(name, rate, main), { ...row(`  /healthz during it`, 20, health), ...loop }];
}

async function main(): Promise<void> {
  const stack = await startLoadStack(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const tinyRun = await trainTinyRun(stack);
    const { body: sweep } = await postJson(stack.base, '/v1/sweeps', {
      name: 'bench-64',
      epochs: 1,
      grid: { seed: Array.from({ length: 64 }, (_, i) => i) },
    });
    const sweepId = sweep['id'] as string;
    const runIds = (sweep['runs'] as { id: string }[]).map((r) => r.id);
    const streams = openStreams(
      stack.base,
      Array.from({ length: SSE_STREAMS }, (_, i) => runIds[i % runIds.length]!),
    );
    const uploadBodies = largestUploads(tinyRun);
    const uploads = uploadLoop(stack.base, uploadBodies);
    const sweepsBefore = (await getJson<{ total: number }>(stack.base, '/v1/sweeps')).total;

    const rows: Row[] = [];
    rows.push(
      ...(await scenario(stack.base, 'GET /v1/sweeps/:id (64 runs)', 200, {
        url: `${stack.base}/v1/sweeps/${sweepId}`,
        connections: 10,
        overallRate: 200,
        workers: 1,
      })),
    );
    rows.push(
      ...(await scenario(stack.base, 'GET /v1/runs/:id', null, {
        url: `${stack.base}/v1/runs/${runIds[0]}`,
        connections: 10,
        workers: 1,
      })),
    );
    let key = 0;
    rows.push(
      ...(await scenario(stack.base, 'POST /v1/sweeps (1 run each)', 20, {
        url: `${stack.base}/v1/sweeps`,
        connections: 4,
        overallRate: 20,
        // A fixed number of requests rather than a duration, so that none is cut off in flight: every 202
        // must match one sweep created.
        amount: 20 * DURATION_S,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'bench-create', epochs: 1 }),
            // A fresh key per request: each must create exactly one sweep.
            setupRequest: (request) => ({
              ...request,
              headers: { ...request.headers, 'idempotency-key': `bench-${process.pid}-${key++}` },
            }),
          },
        ],
      })),
    );
    const sweepsAfter = (await getJson<{ total: number }>(stack.base, '/v1/sweeps')).total;
    const sse = streams.stats();
    await streams.close();
    const upload = await uploads.stop();

    const created = rows.find((r) => r.scenario.startsWith('POST /v1/sweeps'))!;
    const report = {
      cpu: cpuName(),
      duration_s_per_scenario: DURATION_S,
      rows,
      sweep_creation: { answered_202: created.ok, sweeps_created: sweepsAfter - sweepsBefore },
      sse: {
        streams: SSE_STREAMS,
        open_at_end: sse.open,
        failed: sse.failed,
        first_event_p50_ms: Math.round(quantile(sse.firstEventMs, 0.5)),
        first_event_p99_ms: Math.round(quantile(sse.firstEventMs, 0.99)),
      },
      uploads: {
        clients: uploadBodies.length,
        images_per_request: LIMITS.maxCamItems,
        bodies: uploadBodies.map(({ kind, body }) => ({
          image: kind,
          megabytes: Number((body.length / 1e6).toFixed(2)),
        })),
        answers_by_status: upload.statuses,
        mean_seconds: Number(
          (
            upload.durationsMs.reduce((a, b) => a + b, 0) /
            Math.max(1, upload.durationsMs.length) /
            1000
          ).toFixed(1),
        ),
      },
    };
    console.log(`CPU: ${report.cpu}; ${DURATION_S} s per scenario; backend: none (HTTP API only)`);
    console.log(
      `background: ${SSE_STREAMS} SSE streams open, one client each uploading ${LIMITS.maxCamItems} PNGs of ` +
        report.uploads.bodies.map((b) => `${b.image} (${b.megabytes} MB)`).join(' and '),
    );
    console.table(rows);
    console.log(
      `sweep creation: ${report.sweep_creation.answered_202} answered 202, ${report.sweep_creation.sweeps_created} sweeps created`,
    );
    console.log(
      `SSE: ${sse.open}/${SSE_STREAMS} open at the end, ${sse.failed} failed, first event p50 ${report.sse.first_event_p50_ms} ms p99 ${report.sse.first_event_p99_ms} ms`,
    );
    console.log(
      `uploads: ${JSON.stringify(upload.statuses)} (status: count), ${report.uploads.mean_seconds} s each on average`,
    );
    console.log(JSON.stringify(report));
  } finally {
    await stack.close();
  }
}

await main();

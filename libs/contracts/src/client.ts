import type { CamBatchRequestInput, SweepRequestInput } from './schemas.js';
import type {
  CamBatchCreated,
  CamBatchView,
  RunEvent,
  RunView,
  SweepCreated,
  SweepList,
  SweepView,
} from './responses.js';

/** One invalid field of a 400 answer: its dotted path (e.g. `grid.learningRate.0`) and what is wrong. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** An HTTP error answer of the API: status and its `{ error: { code, message, details } }` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(`HTTP ${status} ${code}: ${message}`);
    this.name = 'ApiError';
  }

  /** The invalid fields a 400 names (empty for other errors). */
  get issues(): FieldIssue[] {
    const issues = (this.details as { issues?: unknown } | null)?.issues;
    return Array.isArray(issues) ? (issues as FieldIssue[]) : [];
  }
}

/** One Server-Sent Event as the API writes it. */
export interface ServerEvent {
  event: string;
  data: unknown;
  id?: string;
}

export interface ApiClientOptions {
  /** Sent as `Authorization: Bearer <token>` when set (the API's API_TOKEN). */
  token?: string;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * A typed client of the HTTP API over fetch: the same code in Node and in browsers. Event streams are read
 * with fetch too (EventSource cannot send the bearer token).
 */
export class ApiClient {
  private readonly fetchFn: typeof fetch;
  token: string | undefined;

  /** `baseUrl`: the API's origin, e.g. http://127.0.0.1:3000 (in a browser, location.origin). */
  constructor(
    readonly baseUrl: string,
    options: ApiClientOptions = {},
  ) {
    this.token = options.token;
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The response to `method path`; a non-2xx answer throws an ApiError. */
  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetchFn(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }

  listSweeps(page: { offset?: number; limit?: number } = {}): Promise<SweepList> {
    const query = new URLSearchParams();
    if (page.offset !== undefined) query.set('offset', String(page.offset));
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    return this.json('GET', `/v1/sweeps?${query}`);
  }

  createSweep(request: SweepRequestInput): Promise<SweepCreated> {
    return this.json('POST', '/v1/sweeps', request);
  }

  getSweep(id: string): Promise<SweepView> {
    return this.json('GET', `/v1/sweeps/${encodeURIComponent(id)}`);
  }

  /** Cancels the sweep's unfinished runs; answers the sweep afterwards. */
  cancelSweep(id: string): Promise<SweepView> {
    return this.json('DELETE', `/v1/sweeps/${encodeURIComponent(id)}`);
  }

  /** Re-queues the sweep's failed runs (POST /v1/sweeps/{id}/retry, where the API has the route). */
  async retrySweep(id: string): Promise<unknown> {
    return this.json('POST', `/v1/sweeps/${encodeURIComponent(id)}/retry`);
  }

  /** Cancels one run (POST /v1/runs/{id}/cancel, where the API has the route). */
  async cancelRun(id: string): Promise<unknown> {
    return this.json('POST', `/v1/runs/${encodeURIComponent(id)}/cancel`);
  }

  getRun(id: string): Promise<RunView> {
    return this.json('GET', `/v1/runs/${encodeURIComponent(id)}`);
  }

  createCamBatch(request: CamBatchRequestInput): Promise<CamBatchCreated> {
    return this.json('POST', '/v1/cam-batches', request);
  }

  getCamBatch(id: string): Promise<CamBatchView> {
    return this.json('GET', `/v1/cam-batches/${encodeURIComponent(id)}`);
  }

  /** The bytes at `url`, absolute or relative to the API (the file URLs the API hands out). */
  async download(url: string, signal?: AbortSignal): Promise<ArrayBuffer> {
    return (await this.request('GET', url, undefined, signal)).arrayBuffer();
  }

  /** A run's `state` and `progress` events until its final state or until `signal` aborts. */
  runEvents(id: string, signal?: AbortSignal): AsyncGenerator<RunEventMessage> {
    return this.events(
      `/v1/runs/${encodeURIComponent(id)}/events`,
      signal,
    ) as AsyncGenerator<RunEventMessage>;
  }

  /** The sweep (as getSweep answers it) each time one of its runs changes, until every run is finished. */
  async *sweepEvents(id: string, signal?: AbortSignal): AsyncGenerator<SweepView> {
    for await (const message of this.events(`/v1/sweeps/${encodeURIComponent(id)}/events`, signal)) {
      if (message.event === 'sweep') yield message.data as SweepView;
    }
  }

  /** The Server-Sent Events at `path`, parsed, as they arrive. */
  async *events(path: string, signal?: AbortSignal): AsyncGenerator<ServerEvent> {
    const response = await this.request('GET', path, undefined, signal);
    if (response.body === null) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new EventStreamParser();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield* parser.push(value);
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }
}

/** The events of GET /v1/runs/{id}/events. */
export type RunEventMessage =
  | { event: 'state'; data: Pick<RunEvent, 'state'>; id?: string }
  | { event: 'progress'; data: NonNullable<RunEvent['progress']>; id?: string };

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const { error } = JSON.parse(text) as { error?: { code: string; message: string; details?: unknown } };
    if (error !== undefined) return new ApiError(response.status, error.code, error.message, error.details);
  } catch {
    // not JSON: the text is the message
  }
  return new ApiError(response.status, 'http_error', text || response.statusText);
}

/** Incremental text/event-stream parser: feed it chunks, it returns the events they complete. */
export class EventStreamParser {
  private buffer = '';

  push(chunk: string): ServerEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const events: ServerEvent[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event !== null) events.push(event);
    }
    return events;
  }
}

function parseBlock(block: string): ServerEvent | null {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  if (data.length === 0) return null;
  const text = data.join('\n');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text data
  }
  return id === undefined ? { event, data: parsed } : { event, data: parsed, id };
}

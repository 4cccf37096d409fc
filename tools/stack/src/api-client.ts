import type { CamBatchRequestInput, SweepRequestInput, TrainProgress } from '@cam/queue';

export type RunState = 'queued' | 'active' | 'completed' | 'stopped' | 'failed' | 'cancelled';

export interface RunView {
  id: string;
  sweepId: string;
  state: RunState;
  params: Record<string, unknown> & { learningRate: number };
  progress: TrainProgress | null;
  metrics: (Record<string, unknown> & { testAccuracy?: number; trainAccuracy?: number }) | null;
  artifacts: string[];
}

/** One run's arrival at a scheduler rung. */
export interface RungEntry {
  runId: string;
  value: number | null;
  cutoff: number | null;
  action: 'continue' | 'stop';
  order: number;
}

export interface SweepView {
  id: string;
  runs: { id: string; state: RunState; params: RunView['params']; progress: TrainProgress | null }[];
  /** The scheduler's rungs (null without a scheduler). */
  rungs: { epoch: number; cutoff: number | null; entries: RungEntry[] }[] | null;
  /** The completed or stopped run with the highest validation accuracy. */
  best: { id: string; validationAccuracy: number } | null;
}

export interface CamBatchView {
  id: string;
  state: string;
  items: { index: number; label: number | null; predicted: number; target: number; png: string }[];
  montage: string | null;
  npy: string | null;
}

/** An HTTP error answer of the API: status and its `{ error: { code, message } }` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`HTTP ${status} ${code}: ${message}`);
    this.name = 'ApiError';
  }
}

/** A small typed client of the HTTP API (the routes the demo uses). */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token = process.env.API_TOKEN,
  ) {}

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const text = await response.text();
      let error = { code: 'http_error', message: text };
      try {
        error = (JSON.parse(text) as { error: typeof error }).error ?? error;
      } catch {
        // not JSON: keep the text
      }
      throw new ApiError(response.status, error.code, error.message);
    }
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }

  createSweep(
    request: SweepRequestInput,
  ): Promise<{ id: string; runs: { id: string; params: RunView['params'] }[] }> {
    return this.json('POST', '/v1/sweeps', request);
  }

  getSweep(id: string): Promise<SweepView> {
    return this.json('GET', `/v1/sweeps/${id}`);
  }

  getRun(id: string): Promise<RunView> {
    return this.json('GET', `/v1/runs/${id}`);
  }

  createCamBatch(request: CamBatchRequestInput): Promise<{ id: string }> {
    return this.json('POST', '/v1/cam-batches', request);
  }

  getCamBatch(id: string): Promise<CamBatchView> {
    return this.json('GET', `/v1/cam-batches/${id}`);
  }

  /** The bytes at `url`, absolute or relative to the API (the URLs the API hands out). */
  async download(url: string): Promise<Buffer> {
    return Buffer.from(await (await this.request('GET', url)).arrayBuffer());
  }
}

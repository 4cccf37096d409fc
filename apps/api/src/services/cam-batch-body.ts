import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '@cam/process';
import { CamBatchRequestSchema, type CamBatchRequest, type StoredCamBatchRequest } from '@cam/queue';
import { HttpError, parseInput } from '../errors.js';

/** A CAM batch request read from its body: the settings, and the uploaded PNGs' bytes (null for indices). */
export interface CamBatchBody {
  settings: StoredCamBatchRequest;
  pngs: Uint8Array[] | null;
}

export interface BodyThreadRequest {
  id: number;
  body: Uint8Array;
}

export type BodyThreadReply =
  | { id: number; read: CamBatchBody }
  | { id: number; refused: { status: number; code: string; message: string; details: unknown } };

/**
 * The request in a POST /v1/cam-batches body (400 `malformed_json` or `invalid_request` naming the field). An
 * empty body reads as `{}`, as express.json has it on the other routes.
 */
export function parseCamBatchBody(body: Uint8Array): CamBatchRequest {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let value: unknown;
  try {
    value = text.length === 0 ? {} : JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'malformed_json', (error as Error).message);
  }
  return parseInput(CamBatchRequestSchema, value);
}

export interface CamBatchBodyReaderOptions {
  /** Bodies up to this size without images are parsed in place (a thread round trip costs more). @defaultValue 65536 */
  inlineBytes?: number;
  /** Bodies waiting for the thread beyond which a request is turned away (503). @defaultValue 8 */
  maxQueuedBodies?: number;
}

/**
 * Reads POST /v1/cam-batches bodies off the event loop. A large body (uploads are up to 8 MB of base64) costs
 * tens of milliseconds to parse and validate and seconds to decode: a worker thread parses it, checks the request
 * schema and decodes every PNG as the renderer will (400 naming the one it cannot read), and hands back the
 * settings and the PNGs' bytes, so the API never holds or serialises the base64 text. One thread, started on
 * first use and unref'd, at a lower OS priority than the event loop on Linux; bodies wait their turn, and past
 * `maxQueuedBodies` a request gets 503 saying the decoder is busy.
 */
export class CamBatchBodyReader {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, (reply: BodyThreadReply | Error) => void>();
  private readonly inlineBytes: number;
  private readonly maxQueuedBodies: number;

  constructor(options: CamBatchBodyReaderOptions = {}) {
    this.inlineBytes = options.inlineBytes ?? 65_536;
    this.maxQueuedBodies = options.maxQueuedBodies ?? 8;
  }

  async read(body: Uint8Array): Promise<CamBatchBody> {
    if (body.byteLength <= this.inlineBytes) {
      const request = parseCamBatchBody(body);
      if (request.images === undefined) return { settings: request, pngs: null };
    }
    if (this.pending.size >= this.maxQueuedBodies) {
      throw new HttpError(
        503,
        'busy',
        `the API is reading ${this.pending.size} uploads already; retry later`,
      );
    }
    const id = this.nextId++;
    const reply = await new Promise<BodyThreadReply | Error>((settle) => {
      this.pending.set(id, settle);
      this.thread().postMessage({ id, body } satisfies BodyThreadRequest);
    });
    if (reply instanceof Error) throw reply;
    if ('refused' in reply) {
      const { status, code, message, details } = reply.refused;
      throw new HttpError(status, code, message, details);
    }
    return reply.read;
  }

  /** Stops the thread; requests still waiting fail. */
  async close(): Promise<void> {
    await this.worker?.terminate();
  }

  private thread(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = startTsWorker(new URL('./cam-batch-body-thread.ts', import.meta.url));
    worker.unref();
    worker.on('message', (reply: BodyThreadReply) => this.settle(reply.id, reply));
    const fail = (error: Error) => {
      this.worker = null;
      for (const id of [...this.pending.keys()]) this.settle(id, error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the upload reading thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(id: number, reply: BodyThreadReply | Error): void {
    const settle = this.pending.get(id);
    if (settle === undefined) return;
    this.pending.delete(id);
    settle(reply);
  }
}

import { Worker } from 'node:worker_threads';
import { HttpError, badRequest } from '../errors.js';

export interface PngCheckRequest {
  id: number;
  images: string[];
}

export interface PngCheckReply {
  id: number;
  /** The first image that cannot be read and why; null when every image can. */
  refused: { index: number; message: string } | null;
}

export interface PngCheckerOptions {
  /** Images waiting for the thread beyond which a request is turned away (503). @defaultValue 512 */
  maxQueuedImages?: number;
}

/**
 * Decodes uploaded PNGs in a worker thread, so that a corrupt image is a 400 naming it (not a failed job) while
 * the API's event loop stays free: a 64-image upload of 896x896 16-bit PNGs takes seconds of decoding. One
 * thread, started on first use and unref'd; requests wait their turn, and past `maxQueuedImages` waiting
 * images a request gets 503 saying the decoder is busy.
 */
export class PngChecker {
  private worker: Worker | null = null;
  private nextId = 0;
  private queuedImages = 0;
  private readonly pending = new Map<
    number,
    { images: number; settle: (reply: PngCheckReply | Error) => void }
  >();
  private readonly maxQueuedImages: number;

  constructor(options: PngCheckerOptions = {}) {
    this.maxQueuedImages = options.maxQueuedImages ?? 512;
  }

  /** Resolves when every image can be read; rejects with a 400 naming `images.<i>`, or a 503 when busy. */
  async check(images: string[]): Promise<void> {
    if (this.queuedImages + images.length > this.maxQueuedImages) {
      throw new HttpError(
        503,
        'busy',
        `the API is decoding ${this.queuedImages} uploaded images already; retry later`,
      );
    }
    const id = this.nextId++;
    this.queuedImages += images.length;
    const reply = await new Promise<PngCheckReply | Error>((settle) => {
      this.pending.set(id, { images: images.length, settle });
      this.thread().postMessage({ id, images } satisfies PngCheckRequest);
    });
    if (reply instanceof Error) throw reply;
    if (reply.refused !== null) throw badRequest(`images.${reply.refused.index}`, reply.refused.message);
  }

  /** Stops the thread; requests still waiting fail. */
  async close(): Promise<void> {
    await this.worker?.terminate();
  }

  private thread(): Worker {
    if (this.worker !== null) return this.worker;
    // tsx's loader must be registered inside the thread before the TypeScript entry is imported.
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./png-thread.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    const worker = new Worker(boot, { eval: true });
    worker.unref();
    worker.on('message', (reply: PngCheckReply) => this.settle(reply.id, reply));
    const fail = (error: Error) => {
      this.worker = null;
      for (const id of [...this.pending.keys()]) this.settle(id, error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the PNG decoding thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(id: number, reply: PngCheckReply | Error): void {
    const waiting = this.pending.get(id);
    if (waiting === undefined) return;
    this.pending.delete(id);
    this.queuedImages -= waiting.images;
    waiting.settle(reply);
  }
}

import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { UploadedImageError, greyDigitFromPng } from '@cam/cam/upload';
import { HttpError, badRequest } from '../errors.js';
import { parseCamBatchBody, type BodyThreadReply, type BodyThreadRequest } from './cam-batch-body.js';

/**
 * The thread's nice value. On Linux a thread has its own: at 5 the scheduler gives the event loop (and Redis
 * beside it) about three times this thread's share when the cores are busy, so decoding uploads slows itself
 * rather than the API's answers, yet still progresses beside other busy processes (at 10 it got about a tenth).
 */
const THREAD_NICE = 5;

function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid)) setPriority(tid, THREAD_NICE);
  } catch {
    // Not Linux (no /proc/thread-self), or not allowed: the thread keeps the process's priority.
  }
}

/** The body read as in CamBatchBodyReader, every uploaded PNG decoded as the renderer will. */
function readBody({ id, body }: BodyThreadRequest): { reply: BodyThreadReply; transfer: ArrayBuffer[] } {
  try {
    const { images, ...settings } = parseCamBatchBody(body);
    const pngs = (images ?? []).map((text, index) => {
      const png = new Uint8Array(Buffer.from(text, 'base64'));
      try {
        greyDigitFromPng(png, 28, 28);
      } catch (error) {
        if (error instanceof UploadedImageError) throw badRequest(`images.${index}`, error.message);
        throw error;
      }
      return png;
    });
    return {
      reply: { id, read: { settings, pngs: images === undefined ? null : pngs } },
      transfer: pngs.map((png) => png.buffer as ArrayBuffer),
    };
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    const { status, code, message, details } = error;
    return { reply: { id, refused: { status, code, message, details } }, transfer: [] };
  }
}

lowerThreadPriority();
parentPort!.on('message', (request: BodyThreadRequest) => {
  const { reply, transfer } = readBody(request);
  parentPort!.postMessage(reply, transfer);
});

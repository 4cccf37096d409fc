import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { IdempotencyStore } from '@cam/queue';
import { HttpError, serviceUnavailable } from '../errors.js';
import { handlerSettled } from '../services/deadline.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotencyOptions {
  /** How long a retry waits for a first request with its key that is still running. @defaultValue 30_000 */
  waitMs?: number;
  /** How often it looks. @defaultValue 100 */
  pollMs?: number;
}

const headerError = (status: number, code: string, message: string) =>
  new HttpError(status, code, `${IDEMPOTENCY_HEADER}: ${message}`, {
    issues: [{ path: IDEMPOTENCY_HEADER, message }],
  });

/**
 * `Idempotency-Key` on a creating POST: the first request with a key does the work and its answer (status,
 * body, Location) is stored; a retry with the same key and body gets that answer again (header
 * `Idempotent-Replayed: true`) and creates nothing. A retry that arrives while the first is still running
 * waits for its answer. The same key with another body is a 422. A 5xx answer is not kept, so the client can
 * retry it; when the 5xx was a deadline's and the work went on to finish, its late answer is the one kept.
 * Without the header the request passes untouched.
 */
export function idempotent(store: IdempotencyStore, options: IdempotencyOptions = {}): RequestHandler {
  const waitMs = options.waitMs ?? 30_000;
  const pollMs = options.pollMs ?? 100;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (key === undefined) return next();
    if (!store.ready) throw serviceUnavailable();
    if (!KEY_PATTERN.test(key))
      throw headerError(400, 'invalid_request', 'must be 1 to 255 visible ASCII characters');
    const fingerprint = IdempotencyStore.fingerprint(req.method, req.baseUrl + req.path, req.body);
    const deadline = Date.now() + waitMs;
    let claim = await store.claim(key, fingerprint);
    while (claim.kind === 'in_progress' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, pollMs));
      claim = await store.claim(key, fingerprint);
    }
    if (claim.kind === 'mismatch')
      throw headerError(
        422,
        'idempotency_key_reused',
        'was used with another request (method, route or body)',
      );
    if (claim.kind === 'in_progress')
      throw headerError(
        409,
        'idempotency_key_in_progress',
        `the first request with this key has not answered within ${waitMs} ms; retry later`,
      );
    if (claim.kind === 'answered') {
      const { status, body, location } = claim.answer;
      if (location !== null) res.location(location);
      res.set('Idempotent-Replayed', 'true').status(status).json(body);
      return;
    }
    // Claimed: keep what this request answers (every answer goes through res.json, errors included).
    const send = res.json.bind(res);
    const setLocation = res.location.bind(res);
    // After a deadline's 503 went out, the handler may still answer: its Location and whether it did.
    let lateLocation: string | null = null;
    let answeredLate = false;
    res.location = (url: string) => {
      if (!res.headersSent) return setLocation(url);
      lateLocation = url;
      return res;
    };
    res.json = (body: unknown) => {
      if (res.headersSent) {
        // The handler finished after its deadline's 503 went out: its work is done, so a retry gets this answer.
        if (res.statusCode < 500) {
          answeredLate = true;
          void store
            .complete(key, fingerprint, { status: res.statusCode, body, location: lateLocation })
            .catch(() => undefined);
        }
        return res;
      }
      if (res.statusCode >= 500) {
        // A 5xx can go out while the handler still works (its deadline passed): the key is freed for a retry only
        // once the handler has ended without answering, or the retry could create a second sweep or batch.
        void handlerSettled(res)
          .then(() => (answeredLate ? undefined : store.release(key)))
          .catch(() => undefined);
        return send(body);
      }
      // The answer goes out after it is stored, so that a retry never finds the key claimed but unanswered
      // once the client has seen the answer. If Redis fails here, the client still gets this answer.
      void store
        .complete(key, fingerprint, { status: res.statusCode, body, location: res.get('Location') ?? null })
        .catch(() => undefined)
        .then(() => send(body));
      return res;
    };
    next();
  };
}

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { raceTimeout } from '@cam/process';
import { HttpError, serviceUnavailable } from '../errors.js';

type AsyncHandler = (req: Request, res: Response) => Promise<void>;

/** Resolves once the request's latest guarded handler has ended, answered or not (at once if it ran none). */
export async function handlerSettled(res: Response): Promise<void> {
  await Promise.resolve(res.locals['redisHandler'] as Promise<void> | undefined).catch(() => undefined);
}

export interface GuardOptions {
  /** Call the next handler once this one resolves (a step that answers nothing itself). @defaultValue false */
  thenNext?: boolean;
}

/**
 * Runs a handler that talks to Redis: 503 at once when the connection is not ready, and 503 when the handler
 * has not answered within `timeoutMs` (BullMQ commands wait through reconnects instead of failing). Heavy work
 * does not belong inside: when the deadline fires late because the event loop was blocked, the 503 says so
 * rather than blaming Redis.
 */
export function redisHandler(redis: Redis, timeoutMs: number) {
  return (handler: AsyncHandler, options: GuardOptions = {}): RequestHandler =>
    (req: Request, res: Response, next: NextFunction) => {
      if (redis.status !== 'ready') {
        next(serviceUnavailable(`Redis is unreachable (connection ${redis.status})`));
        return;
      }
      const started = performance.now();
      const work = handler(req, res);
      res.locals['redisHandler'] = work;
      raceTimeout(work, timeoutMs, () => {
        const late = performance.now() - started - timeoutMs;
        throw late > timeoutMs / 2
          ? new HttpError(
              503,
              'busy',
              `the API was too busy to answer within ${timeoutMs} ms (its event loop was blocked for about ${Math.round(late)} ms)`,
            )
          : serviceUnavailable(`Redis did not answer within ${timeoutMs} ms`);
      }).then(() => {
        if (options.thenNext) next();
      }, next);
    };
}

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { raceTimeout } from '@cam/process';
import { serviceUnavailable } from '../errors.js';

type AsyncHandler = (req: Request, res: Response) => Promise<void>;

/**
 * Runs a handler that talks to Redis: 503 at once when the connection is not ready, and 503 when the handler
 * has not answered within `timeoutMs` (BullMQ commands wait through reconnects instead of failing).
 */
export function redisHandler(redis: Redis, timeoutMs: number) {
  return (handler: AsyncHandler): RequestHandler =>
    (req: Request, res: Response, next: NextFunction) => {
      if (redis.status !== 'ready') {
        next(serviceUnavailable(`Redis is unreachable (connection ${redis.status})`));
        return;
      }
      raceTimeout(handler(req, res), timeoutMs, () => {
        throw serviceUnavailable(`Redis did not answer within ${timeoutMs} ms`);
      }).catch(next);
    };
}

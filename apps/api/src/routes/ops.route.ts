import { Router } from 'express';
import { raceTimeout } from '@cam/process';
import type { ApiDeps } from '../deps.js';
import type { ApiMetrics } from '../services/metrics.js';

/** /healthz (process alive), /readyz (Redis answers a PING in time), /metrics (Prometheus). */
export function opsRoute(deps: ApiDeps, metrics: ApiMetrics, timeoutMs: number): Router {
  return Router()
    .get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    })
    .get('/readyz', async (_req, res) => {
      const answer =
        deps.redis.status === 'ready'
          ? await raceTimeout(
              deps.redis.ping().catch((e: Error) => e.message),
              timeoutMs,
              () => 'timeout',
            )
          : deps.redis.status;
      if (answer === 'PONG') res.json({ status: 'ready', redis: 'ok' });
      else
        res.status(503).json({
          error: {
            code: 'service_unavailable',
            message: `Redis is unreachable (${answer})`,
            details: null,
          },
        });
    })
    .get('/metrics', async (_req, res) => {
      const text = await metrics.scrape();
      res.type(metrics.registry.contentType).send(text);
    });
}

import type { RequestHandler } from 'express';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { raceTimeout } from '@cam/process';
import type { ApiDeps } from '../deps.js';

/** Finished jobs already observed, so that a scrape adds each job's duration once. */
const SEEN_LIMIT = 10_000;
/** Finished jobs looked at per queue and scrape. */
const SCAN_COUNT = 200;

export interface ApiMetrics {
  registry: Registry;
  /** Express middleware timing every request by method, route pattern and status. */
  httpTimer: RequestHandler;
  /** Reads queue depths and new job durations from Redis (skipped while it is unreachable), then renders. */
  scrape(): Promise<string>;
}

export function createMetrics(deps: ApiDeps, timeoutMs: number): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const queueJobs = new Gauge({
    name: 'cam_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'cam_job_duration_seconds',
    help: 'Processing time of finished jobs (processedOn to finishedOn)',
    labelNames: ['queue', 'status'],
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  const seen = new Set<string>();

  const httpTimer: RequestHandler = (req, res, next) => {
    const stop = httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      // The matched route pattern keeps label cardinality bounded (ids are not labels).
      const route = req.route
        ? `${req.baseUrl}${req.route.path === '/' ? '' : String(req.route.path)}` || '/'
        : 'unmatched';
      stop({ route, status: String(res.statusCode) });
    });
    next();
  };

  async function readQueues(): Promise<void> {
    for (const queue of Object.values(deps.queues)) {
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'completed',
        'failed',
      );
      for (const [state, count] of Object.entries(counts)) queueJobs.set({ queue: queue.name, state }, count);
      for (const status of ['completed', 'failed'] as const) {
        for (const job of await queue.getJobs([status], 0, SCAN_COUNT - 1)) {
          const key = `${queue.name}:${job.id}:${job.finishedOn}`;
          if (job.processedOn === undefined || job.finishedOn === undefined || seen.has(key)) continue;
          seen.add(key);
          if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
          jobDuration.observe({ queue: queue.name, status }, (job.finishedOn - job.processedOn) / 1000);
        }
      }
    }
  }

  return {
    registry,
    httpTimer,
    async scrape() {
      if (deps.redis.status === 'ready') {
        await raceTimeout(
          readQueues().catch(() => undefined),
          timeoutMs,
          () => undefined,
        );
      }
      return registry.metrics();
    },
  };
}

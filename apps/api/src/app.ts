import express, { type Express, type RequestHandler } from 'express';
import { LIMITS } from '@cam/queue';
import type { ApiDeps } from './deps.js';
import type { RunEventsOptions } from './controllers/runs.controller.js';
import { HttpError, serviceUnavailable } from './errors.js';
import { requireBearerToken } from './middleware/auth.js';
import { errorHandler } from './middleware/error-handler.js';
import { idempotent } from './middleware/idempotency.js';
import { requireJson } from './middleware/require-json.js';
import { adminRoute, ADMIN_BASE_PATH } from './routes/admin.route.js';
import { camBatchesRoute } from './routes/cam-batches.route.js';
import { camEvaluationsRoute } from './routes/cam-evaluations.route.js';
import { dashboardRoute, DEFAULT_DASHBOARD_DIR } from './routes/dashboard.route.js';
import type { RouteContext } from './routes/context.js';
import { opsRoute } from './routes/ops.route.js';
import { runsRoute } from './routes/runs.route.js';
import { sweepsRoute } from './routes/sweeps.route.js';
import { CamBatchBodyReader } from './services/cam-batch-body.js';
import { redisHandler } from './services/deadline.js';
import { createMetrics } from './services/metrics.js';
import { openApiDocument } from './services/openapi.js';

export interface AppOptions {
  /** When set, /v1 and /admin need `Authorization: Bearer <token>`. @defaultValue process.env.API_TOKEN */
  apiToken?: string;
  /** Largest JSON body (bytes, or a size such as '64kb'). @defaultValue LIMITS.maxRequestBytes */
  bodyLimit?: number | string;
  /** How long a request may wait for Redis before a 503. @defaultValue 3000 */
  redisTimeoutMs?: number;
  events?: RunEventsOptions;
  /** The built dashboard served at `/`. @defaultValue process.env.DASHBOARD_DIR ?? apps/dashboard/dist */
  dashboardDir?: string;
  /** Reads CAM batch bodies off the event loop. @defaultValue a CamBatchBodyReader of its own */
  camBatchBodies?: CamBatchBodyReader;
}

/** The Express app: routes, auth, Redis guard, metrics and the one error handler. */
export function createApp(deps: ApiDeps, options: AppOptions = {}): Express {
  const apiToken = options.apiToken ?? process.env.API_TOKEN;
  const timeoutMs = options.redisTimeoutMs ?? 3000;
  const metrics = createMetrics(deps, timeoutMs);
  const limit = options.bodyLimit ?? LIMITS.maxRequestBytes;
  const context: RouteContext = {
    deps,
    guard: redisHandler(deps.redis, timeoutMs) as RouteContext['guard'],
    json: [requireJson, express.json({ limit, strict: false })],
    rawJson: [requireJson, express.raw({ limit, type: () => true })],
    events: options.events ?? {},
    camBatchBodies: options.camBatchBodies ?? new CamBatchBodyReader(),
    idempotent: idempotent(deps.idempotency),
  };
  const openApi = openApiDocument();
  const requireRedis: RequestHandler = (_req, _res, next) =>
    next(deps.redis.status === 'ready' ? undefined : serviceUnavailable());

  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.httpTimer);
  app.use(opsRoute(deps, metrics, timeoutMs));
  if (apiToken) {
    const auth = requireBearerToken(apiToken);
    app.use('/v1', auth);
    app.use(ADMIN_BASE_PATH, auth);
  }
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/v1/sweeps', sweepsRoute(context));
  app.use('/v1/runs', runsRoute(context));
  app.use('/v1/cam-batches', camBatchesRoute(context));
  app.use('/v1/cam-evaluations', camEvaluationsRoute(context));
  app.use(ADMIN_BASE_PATH, requireRedis, adminRoute(deps));
  app.use(dashboardRoute(options.dashboardDir ?? process.env.DASHBOARD_DIR ?? DEFAULT_DASHBOARD_DIR));
  app.use((req, _res, next) =>
    next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`)),
  );
  app.use(errorHandler);
  return app;
}

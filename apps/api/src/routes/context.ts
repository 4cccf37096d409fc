import type { Request, RequestHandler, Response } from 'express';
import type { ApiDeps } from '../deps.js';
import type { RunEventsOptions } from '../controllers/runs.controller.js';
import type { GuardOptions } from '../services/deadline.js';
import type { CamBatchBodyReader } from '../services/cam-batch-body.js';

/** What every route module gets: the dependencies and the shared middleware. */
export interface RouteContext {
  deps: ApiDeps;
  /** Wraps a handler that needs Redis (503 while unreachable or too slow). */
  guard: <P>(
    handler: (req: Request<P>, res: Response) => Promise<void>,
    options?: GuardOptions,
  ) => RequestHandler<P>;
  /** Idempotency-Key handling for creating POSTs (after `json`). */
  idempotent: RequestHandler;
  /** Reads CAM batch bodies (uploaded PNGs) off the event loop. */
  camBatchBodies: CamBatchBodyReader;
  /** JSON body parsing with the content type and size checks (415, 413, 400). */
  json: RequestHandler[];
  /** The same checks, the body left as bytes (a Buffer) for a handler that parses it elsewhere. */
  rawJson: RequestHandler[];
  events: RunEventsOptions;
}

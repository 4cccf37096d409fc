import { Router } from 'express';
import { camBatchesController } from '../controllers/cam-batches.controller.js';
import type { RouteContext } from './context.js';

export function camBatchesRoute({ deps, guard, rawJson, idempotent, camBatchBodies }: RouteContext): Router {
  const c = camBatchesController(deps, camBatchBodies);
  // The body stays raw bytes for the reading thread; the Redis deadline covers steps 2 and 4, not the decoding
  // or the store.
  return Router()
    .post(
      '/',
      rawJson,
      idempotent,
      c.read,
      guard(c.accept, { thenNext: true }),
      c.storeUploads,
      guard(c.create),
    )
    .get('/:id', guard(c.get))
    .get('/:id/files/:name', guard(c.file));
}

import { Router } from 'express';
import { camBatchesController } from '../controllers/cam-batches.controller.js';
import type { RouteContext } from './context.js';

export function camBatchesRoute({ deps, guard, json, idempotent, pngChecker }: RouteContext): Router {
  const c = camBatchesController(deps, pngChecker);
  // Three steps: the Redis deadline covers the first and the last, not the decoding in between.
  return Router()
    .post('/', json, idempotent, guard(c.accept, { thenNext: true }), c.checkImages, guard(c.create))
    .get('/:id', guard(c.get))
    .get('/:id/files/:name', guard(c.file));
}

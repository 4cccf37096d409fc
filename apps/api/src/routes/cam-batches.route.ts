import { Router } from 'express';
import { camBatchesController } from '../controllers/cam-batches.controller.js';
import type { RouteContext } from './context.js';

export function camBatchesRoute({ deps, guard, json }: RouteContext): Router {
  const c = camBatchesController(deps);
  return Router()
    .post('/', json, guard(c.create))
    .get('/:id', guard(c.get))
    .get('/:id/files/:name', guard(c.file));
}

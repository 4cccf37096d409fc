import { Router } from 'express';
import { camEvaluationsController } from '../controllers/cam-evaluations.controller.js';
import type { RouteContext } from './context.js';

export function camEvaluationsRoute({ deps, guard, json, idempotent }: RouteContext): Router {
  const c = camEvaluationsController(deps);
  return Router()
    .post('/', json, idempotent, guard(c.create))
    .get('/:id', guard(c.get))
    .get('/:id/files/:name', guard(c.file));
}

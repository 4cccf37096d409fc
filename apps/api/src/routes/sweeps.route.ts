import { Router } from 'express';
import { sweepsController } from '../controllers/sweeps.controller.js';
import type { RouteContext } from './context.js';

export function sweepsRoute({ deps, guard, json }: RouteContext): Router {
  const c = sweepsController(deps);
  return Router()
    .post('/', json, guard(c.create))
    .get('/', guard(c.list))
    .get('/:id', guard(c.get))
    .delete('/:id', guard(c.cancel))
    .post('/:id/retry', guard(c.retry));
}

import { Router } from 'express';
import { sweepsController } from '../controllers/sweeps.controller.js';
import type { RouteContext } from './context.js';

export function sweepsRoute({ deps, guard, json, events, idempotent }: RouteContext): Router {
  const c = sweepsController(deps, events);
  return Router()
    .post('/', json, idempotent, guard(c.create))
    .get('/', guard(c.list))
    .get('/:id', guard(c.get))
    .get('/:id/events', guard(c.events))
    .delete('/:id', guard(c.cancel))
    .post('/:id/retry', guard(c.retry));
}

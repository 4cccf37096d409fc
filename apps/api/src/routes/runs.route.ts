import { Router } from 'express';
import { runsController } from '../controllers/runs.controller.js';
import type { RouteContext } from './context.js';

export function runsRoute({ deps, guard, events }: RouteContext): Router {
  const c = runsController(deps, events);
  return Router()
    .get('/:id', guard(c.get))
    .get('/:id/events', guard(c.events))
    .post('/:id/cancel', guard(c.cancel))
    .get('/:id/artifacts/:name', guard(c.artifact));
}

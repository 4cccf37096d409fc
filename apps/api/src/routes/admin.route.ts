import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Router } from 'express';
import type { ApiDeps } from '../deps.js';

export const ADMIN_BASE_PATH = '/admin/queues';

/** The Bull Board dashboard of every queue. */
export function adminRoute(deps: ApiDeps): Router {
  const serverAdapter = new ExpressAdapter().setBasePath(ADMIN_BASE_PATH);
  createBullBoard({
    queues: Object.values(deps.queues).map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
  });
  return serverAdapter.getRouter() as Router;
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/** Where `vite build` of apps/dashboard writes the dashboard (the repository layout). */
export const DEFAULT_DASHBOARD_DIR = path.resolve(import.meta.dirname, '../../../dashboard/dist');

/**
 * The dashboard's static files at `/` (public: the data they load stays behind the API's token). Without a
 * build, `/` says how to make one instead of a bare 404.
 */
export function dashboardRoute(dir: string): Router {
  if (existsSync(path.join(dir, 'index.html'))) {
    return Router().use(express.static(dir, { index: 'index.html', maxAge: 0 }));
  }
  return Router().get('/', (_req, res) => {
    res
      .status(404)
      .type('text/plain')
      .send(`The dashboard is not built (no ${dir}/index.html): npm run build -w @cam/dashboard\n`);
  });
}

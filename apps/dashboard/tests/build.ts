import path from 'node:path';
import type { build as viteBuild } from 'vite';

export const DASHBOARD_ROOT = path.resolve(import.meta.dirname, '..');

/** Builds the dashboard with its own vite.config.ts into `outDir` (not dist/, which the API may be serving). */
export async function buildDashboard(build: typeof viteBuild, outDir: string): Promise<string> {
  await build({
    root: DASHBOARD_ROOT,
    configFile: path.join(DASHBOARD_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

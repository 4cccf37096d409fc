import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const DASHBOARD_ROOT = resolve(import.meta.dirname, '../../../apps/dashboard');
const VITE_BIN = resolve(import.meta.dirname, '../../../node_modules/vite/bin/vite.js');
/** What the dashboard build reads; a newer file than dist/index.html makes the build stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json', '../../libs/contracts/src'];

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestMtime(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when apps/dashboard/dist is missing or older than a source file. */
export async function dashboardIsStale(): Promise<boolean> {
  const built = await stat(join(DASHBOARD_ROOT, 'dist', 'index.html')).catch(() => null);
  if (built === null) return true;
  const sources = await Promise.all(SOURCES.map((s) => newestMtime(join(DASHBOARD_ROOT, s))));
  return Math.max(...sources) > built.mtimeMs;
}

/**
 * Builds the dashboard (vite build into apps/dashboard/dist, which the API serves at `/`) when it is missing
 * or stale, so that `npm start` right after `npm ci` serves it. Resolves with whether it built.
 */
export async function ensureDashboardBuilt(log: (line: string) => void = console.log): Promise<boolean> {
  if (!(await dashboardIsStale())) return false;
  log('[stack] building the dashboard (vite build, apps/dashboard/dist)');
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [VITE_BIN, 'build', '--logLevel', 'warn'], {
      cwd: DASHBOARD_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`the dashboard build failed (vite exit ${code})`)),
    );
  });
  return true;
}

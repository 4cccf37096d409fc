import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';
import { INITIAL_LOAD_BUDGET_GZIP_BYTES } from '../src/lib/bundle-budget.js';
import { buildDashboard } from './build.js';

describe('the built dashboard', () => {
  it('loads at most 400 KB gzip up front (index.html and every script and style it references)', async () => {
    const dist = await buildDashboard(build, await mkdtemp(path.join(tmpdir(), 'cam-dashboard-')));
    const html = await readFile(path.join(dist, 'index.html'), 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    const files = ['index.html', ...assets];
    const sizes = await Promise.all(
      files.map(async (file) => gzipSync(await readFile(path.join(dist, file)), { level: 9 }).length),
    );
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(
      `initial load: ${files.map((f, i) => `${f} ${((sizes[i] ?? 0) / 1024).toFixed(1)} KB`).join(', ')}; ` +
        `total ${(total / 1024).toFixed(1)} KB gzip (budget ${INITIAL_LOAD_BUDGET_GZIP_BYTES / 1024} KB)`,
    );
    await rm(dist, { recursive: true, force: true });
    expect(total).toBeLessThanOrEqual(INITIAL_LOAD_BUDGET_GZIP_BYTES);
  });
});

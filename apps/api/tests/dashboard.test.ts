import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApi } from './support.js';

const dir = await mkdtemp(path.join(tmpdir(), 'cam-dashboard-dist-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the dashboard at /', () => {
  it('serves the built files without a token while /v1 still needs one', async () => {
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>dash</title>');
    const api = await startApi({ dashboardDir: dir, apiToken: 'secret' });
    try {
      const page = await api.call('GET', '/');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('<title>dash</title>');
      expect((await api.call('GET', '/v1/sweeps')).status).toBe(401);
      expect((await api.call('GET', '/nope.js')).status).toBe(404);
    } finally {
      await api.close();
    }
  });

  it('says how to build it when there is no build', async () => {
    const api = await startApi({ dashboardDir: path.join(dir, 'missing') });
    try {
      const page = await api.call('GET', '/');
      expect(page.status).toBe(404);
      expect(await page.text()).toContain('npm run build -w @cam/dashboard');
    } finally {
      await api.close();
    }
  });
});

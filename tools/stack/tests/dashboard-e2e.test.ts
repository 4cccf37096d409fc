import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CAM_METHOD_NAMES } from '@cam/contracts';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeQueueKeys } from '../src/cleanup.js';
import { ensureDashboardBuilt } from '../src/dashboard.js';
import { freePort } from '../src/redis.js';
import { REPO_ROOT, startStack, type Stack } from '../src/stack.js';

/** Debian's chromium (apt-get install chromium); Playwright's own browser download does not work here. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = resolve(REPO_ROOT, process.env.SCREENSHOTS_DIR ?? 'out/screenshots');
const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `test-e2e-${process.pid}-${Date.now()}`;
const artifactsDir = mkdtempSync(join(tmpdir(), 'cam-e2e-'));
const userDataDir = mkdtempSync(join(tmpdir(), 'cam-e2e-chromium-'));

let stack: Stack | undefined;
let context: BrowserContext | undefined;
const consoleErrors: string[] = [];
const stackLines: string[] = [];

if (!existsSync(CHROMIUM)) console.warn(`dashboard e2e skipped: no ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!existsSync(CHROMIUM))('the dashboard in headless Chromium against the real stack', () => {
  let page: Page;
  const shot = (name: string, fullPage = false) =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
  /** Every <img> matching `selector` (at least `count`) has loaded a decodable image. */
  const imagesLoaded = (selector: string, count: number, timeout: number) =>
    page.waitForFunction(
      ([sel, n]) => {
        const images = [...document.querySelectorAll<HTMLImageElement>(sel as string)];
        return images.length >= (n as number) && images.every((img) => img.complete && img.naturalWidth > 0);
      },
      [selector, count] as const,
      { timeout },
    );

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // The build npm start makes, so the test sees the current sources.
    await ensureDashboardBuilt(() => undefined);
    stack = await startStack({
      port: await freePort(),
      trainers: 2,
      renderers: 1,
      artifactsDir,
      redis: { redisUrl: REDIS_URL },
      env: { BULL_PREFIX: prefix, CAM_REGISTRY_PREFIX: `${prefix}-registry`, TRAIN_THREADS: '1' },
      buildDashboard: false,
      supervisor: { onLine: (name, line) => stackLines.push(`${name}: ${line}`), graceMs: 10_000 },
    });
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await stack?.stop();
    await removeQueueKeys(REDIS_URL, prefix, `${prefix}-registry`).catch(() => undefined);
    rmSync(artifactsDir, { recursive: true, force: true });
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it('creates a sweep through the form, watches it live, opens the best run, renders and compares CAMs', async () => {
    if (stack === undefined) throw new Error('the stack did not start');
    try {
      await page.goto(`${stack.apiUrl}/`);
      await page.getByRole('heading', { name: 'Sweeps', level: 1 }).waitFor();
      // Marks this document: still there at the end means every update came without a reload.
      await page.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = 1));

      // The API's 400 appears next to the field it names.
      await page.getByLabel('Name').fill('e2e lr');
      await page.getByLabel('trainSize').fill('1200');
      await page.getByLabel('testSize').fill('200');
      await page.getByLabel('batchSize', { exact: true }).fill('16');
      await page.getByLabel('epochs').fill('1000');
      await page.getByLabel('grid learningRate').fill('0.002, 0.006');
      await page.getByRole('button', { name: 'Start sweep' }).click();
      const epochsError = page.locator('#sweep-epochs-error');
      await epochsError.waitFor();
      expect(await epochsError.textContent()).toMatch(/100/);
      expect(await page.getByLabel('epochs').getAttribute('aria-invalid')).toBe('true');
      await shot('new-sweep-error');
      // Chromium logs the refused request itself; that one expected entry is the only error so far.
      expect(consoleErrors).toEqual([
        'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
      ]);
      consoleErrors.length = 0;

      await page.getByLabel('epochs').fill('2');
      await page.getByRole('button', { name: 'Start sweep' }).click();
      await page.waitForURL(/#\/sweeps\/s-[0-9a-f]{12}$/);
      await page.getByRole('heading', { name: 'e2e lr', level: 1 }).waitFor();

      // Live: a run shows up active with a moving progress bar, then both complete, all without reloading.
      await page.locator('.badge.state-active').first().waitFor({ timeout: 240_000 });
      await page.getByText('2 completed').waitFor({ timeout: 420_000 });
      await page.locator('.chart canvas').nth(2).waitFor();
      expect(await page.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker)).toBe(1);
      await shot('sweep');

      // Sorting by best validation accuracy puts the best run first.
      await page.getByRole('button', { name: 'best val acc' }).click();
      const bestLink = page.locator('p a[href^="#/runs/"]').first();
      const bestId = ((await bestLink.textContent()) ?? '').split(' ')[0] ?? '';
      expect(await page.locator('tbody tr').first().locator('a').first().textContent()).toBe(bestId);

      // Narrow window: the page scrolls inside its tables, not sideways as a whole.
      await page.setViewportSize({ width: 420, height: 900 });
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
      await shot('sweep-narrow');
      await page.setViewportSize({ width: 1280, height: 900 });

      await page.getByRole('link', { name: 'Sweeps' }).first().click();
      await page.getByText('2 completed').waitFor();
      await shot('sweeps');
      await page.getByRole('link', { name: 'e2e lr' }).click();
      await page.locator('p a[href^="#/runs/"]').first().click();

      // The best run: metrics, curves, confusion heat map, downloads, the render form.
      await page.waitForURL(new RegExp(`#/runs/${bestId}$`));
      await page.getByRole('heading', { name: 'Test confusion matrix' }).waitFor();
      await page.getByRole('button', { name: 'weights.bin' }).waitFor();
      await shot('run', true);

      await page.getByLabel('Indices').fill('0-7');
      await page.getByRole('button', { name: 'Render' }).click();
      await page.waitForURL(/#\/cam-batches\/b-[0-9a-f]{12}$/);
      await imagesLoaded('.gallery img', 8, 180_000);
      expect(await page.locator('.gallery figcaption').first().textContent()).toMatch(/true 7/);
      expect(await page.locator('.gallery .probabilities').count()).toBe(8);
      await shot('cam-batch');

      // Enlarged, with the raw map value under the pointer.
      await page.locator('button.thumb').first().click();
      const status = page.locator('[role=dialog] [role=status]');
      await status.getByText('point at the map').waitFor();
      await page.locator('img.large').hover({ position: { x: 200, y: 200 } });
      await status.getByText(/raw map value -?\d/).waitFor();
      await shot('cam-enlarged');
      await page.getByRole('button', { name: 'Close' }).click();

      // Compare: the same 8 digits under every method (one batch per method besides this one).
      const others = CAM_METHOD_NAMES.length - 1;
      await page.getByRole('button', { name: 'Compare methods' }).click();
      await page.waitForURL(new RegExp(`\\?compare=(b-[0-9a-f]{12},){${others - 1}}b-[0-9a-f]{12}$`));
      await imagesLoaded('table.compare img', 8 * CAM_METHOD_NAMES.length, 400_000);
      const methods = await page.locator('table.compare thead th').allTextContents();
      expect(methods.map((m) => m.trim())).toEqual(['image', ...CAM_METHOD_NAMES]);
      await shot('cam-compare');

      expect(consoleErrors).toEqual([]);
    } catch (error) {
      await shot('failure').catch(() => undefined);
      console.error(stackLines.slice(-40).join('\n'));
      throw error;
    }
  }, 900_000);

  it('asks once for the token of an API with API_TOKEN, then loads data and images with it', async () => {
    // A second API on the same Redis keys and artifacts, with a token (no workers needed).
    const guarded = await startStack({
      port: await freePort(),
      trainers: 0,
      renderers: 0,
      artifactsDir,
      redis: { redisUrl: REDIS_URL },
      env: { BULL_PREFIX: prefix, CAM_REGISTRY_PREFIX: `${prefix}-registry`, API_TOKEN: 'e2e-secret' },
      buildDashboard: false,
      supervisor: { onLine: (name, line) => stackLines.push(`guarded ${name}: ${line}`), graceMs: 10_000 },
    });
    try {
      await page.goto(`${guarded.apiUrl}/`);
      const dialog = page.getByRole('dialog', { name: 'API token' });
      await dialog.waitFor();
      await page.getByLabel('Token', { exact: true }).fill('e2e-secret');
      await page.getByRole('button', { name: 'Use token' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByText('2 completed').waitFor();
      await page.getByRole('link', { name: 'e2e lr' }).click();
      await page.locator('p a[href^="#/runs/"]').first().click();
      await page.getByRole('heading', { name: 'Test confusion matrix' }).waitFor();
      // Only the first, token-less requests were refused.
      expect(consoleErrors.length).toBeGreaterThan(0);
      expect(consoleErrors.every((line) => line.includes('status of 401'))).toBe(true);
    } finally {
      await guarded.stop();
    }
  }, 300_000);
});

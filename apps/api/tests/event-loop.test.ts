import { describe, expect, it } from 'vitest';
import { largestUploadPng } from '@cam/cam/upload';
import { LIMITS } from '@cam/queue';
import { PngChecker } from '../src/services/png.js';
import { apiWithCompletedRun, greyPng } from './fixtures.js';

const context = apiWithCompletedRun();

describe('the event loop stays free while uploads are decoded', () => {
  it('/healthz answers quickly while the largest allowed upload is decoded, and the upload gets its 202', async () => {
    const image = largestUploadPng().toString('base64');
    const images = Array.from({ length: LIMITS.maxCamItems }, () => image);
    const started = performance.now();
    let done = false;
    const post = context.api
      .call('POST', '/v1/cam-batches', { runId: context.runId, images })
      .finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      const t = performance.now();
      expect((await context.api.call('GET', '/healthz')).status).toBe(200);
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await post;
    const postMs = performance.now() - started;
    expect(res.status, await res.clone().text()).toBe(202);
    // Decoding 64 such images takes seconds; /healthz waited for none of it (bounds generous for a shared machine).
    expect(postMs).toBeGreaterThan(1000);
    expect(latencies.length).toBeGreaterThan(5);
    expect(
      Math.max(...latencies),
      `healthz ${latencies.map(Math.round)} during a ${Math.round(postMs)} ms upload`,
    ).toBeLessThan(postMs / 4);
  }, 120_000);

  it('names the image the decoding thread cannot read', async () => {
    const good = greyPng(28, 28).toString('base64');
    const corrupt = Buffer.from(greyPng(28, 28)).fill(7, 41).toString('base64');
    const res = await context.api.call('POST', '/v1/cam-batches', {
      runId: context.runId,
      images: [good, good, corrupt],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^images\.2: is not a decodable PNG/,
    );
  });
});

describe('PngChecker', () => {
  it('turns a request away with 503 busy when too many images wait for the thread', async () => {
    const checker = new PngChecker({ maxQueuedImages: 3 });
    const image = greyPng(28, 28).toString('base64');
    const first = checker.check([image, image]);
    await expect(checker.check([image, image])).rejects.toMatchObject({ status: 503, code: 'busy' });
    await first;
    await expect(checker.check([image, image])).resolves.toBeUndefined();
    await checker.close();
  });
});

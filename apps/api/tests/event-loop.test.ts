import { describe, expect, it } from 'vitest';
import { largestUploadPng } from '@cam/cam/upload';
import { LIMITS } from '@cam/queue';
import { readFileSync, readdirSync } from 'node:fs';
import { CamBatchBodyReader } from '../src/services/cam-batch-body.js';
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
  }, 240_000);

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

describe('CamBatchBodyReader', () => {
  const body = (request: unknown) => Buffer.from(JSON.stringify(request));
  const runId = 'r-0123456789ab';

  it('hands back the settings and the PNG bytes, never the base64 text', async () => {
    const reader = new CamBatchBodyReader({ inlineBytes: 0 });
    const png = greyPng(30, 20);
    const read = await reader.read(body({ runId, images: [png.toString('base64')], target: 4 }));
    expect(read.settings).toMatchObject({ runId, target: 4 });
    expect(read.settings).not.toHaveProperty('images');
    expect(read.pngs?.map((p) => Buffer.from(p))).toEqual([png]);
    await reader.close();
  });

  it('parses small bodies of dataset samples in place, and refuses what the schema refuses either way', async () => {
    const reader = new CamBatchBodyReader({ maxQueuedBodies: 0 });
    // maxQueuedBodies 0: any body sent to the thread would be a 503, so this one was read in place.
    await expect(reader.read(body({ runId, indices: [1, 2] }))).resolves.toMatchObject({
      settings: { runId, indices: [1, 2] },
      pngs: null,
    });
    await expect(reader.read(Buffer.from('{"runId":'))).rejects.toMatchObject({
      status: 400,
      code: 'malformed_json',
    });
    const inThread = new CamBatchBodyReader({ inlineBytes: 0 });
    await expect(inThread.read(body({ runId, indices: [-1] }))).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^indices\.0: /),
    });
    await inThread.close();
  });

  it('turns a request away with 503 busy when too many bodies wait for the thread', async () => {
    const reader = new CamBatchBodyReader({ maxQueuedBodies: 1 });
    const upload = body({ runId, images: [greyPng(28, 28).toString('base64')] });
    const first = reader.read(upload);
    await expect(reader.read(upload)).rejects.toMatchObject({ status: 503, code: 'busy' });
    await first;
    await expect(reader.read(upload)).resolves.toMatchObject({ settings: { runId } });
    await reader.close();
  });

  it.runIf(process.platform === 'linux')('decodes at a lower OS priority than the event loop', async () => {
    const reader = new CamBatchBodyReader();
    await reader.read(body({ runId, images: [greyPng(28, 28).toString('base64')] }));
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (after the command in parentheses).
    const nice = (tid: string) =>
      Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const values = readdirSync('/proc/self/task').map(nice);
    expect(Math.max(...values)).toBeGreaterThan(nice(String(process.pid)));
    await reader.close();
  });
});

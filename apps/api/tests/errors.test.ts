import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingJob, TrainingJobResult } from '@cam/queue';
import { fakeTrainer, greyPng } from './fixtures.js';
import { QUEUE_NAMES, startApi, waitFor, type TestApi } from './support.js';

let api: TestApi;
let completedRun = '';
let queuedRun = '';

interface ErrorBody {
  error: { code: string; message: string; details: { issues?: { path: string }[] } | null };
}

beforeAll(async () => {
  api = await startApi({ bodyLimit: '64kb' });
  const done = (await (await api.call('POST', '/v1/sweeps', { name: 'done', epochs: 1 })).json()) as {
    runs: { id: string }[];
  };
  completedRun = done.runs[0]?.id ?? '';
  const worker = api.worker<TrainingJob, TrainingJobResult>(
    QUEUE_NAMES.training,
    fakeTrainer(api.deps.registry, api.deps.store, 1),
  );
  await waitFor(async () => ((await api.deps.registry.getRun(completedRun))?.progress ? true : undefined));
  await waitFor(async () =>
    (await api.deps.queues.training.getJob(completedRun))?.finishedOn ? true : undefined,
  );
  await worker.close();
  const waiting = (await (await api.call('POST', '/v1/sweeps', { name: 'waiting' })).json()) as {
    runs: { id: string }[];
  };
  queuedRun = waiting.runs[0]?.id ?? '';
});
afterAll(async () => {
  await api.close();
});

const png = greyPng(28, 28).toString('base64');
/** A real PNG whose header claims a size that decoding would try to allocate (40 GB). */
const hugePng = (() => {
  const bytes = greyPng(28, 28);
  bytes.writeUInt32BE(100_000, 16);
  bytes.writeUInt32BE(100_000, 20);
  return bytes.toString('base64');
})();
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('bad inputs: each gets its 4xx naming the field, and the service stays up', () => {
  const sweepCases: [string, string, unknown][] = [
    ['trainSize as a string', 'trainSize', { name: 'x', trainSize: '6000' }],
    ['negative trainSize', 'trainSize', { name: 'x', trainSize: -5 }],
    ['huge trainSize', 'trainSize', { name: 'x', trainSize: 1e12 }],
    ['zero epochs', 'epochs', { name: 'x', epochs: 0 }],
    ['huge batchSize', 'batchSize', { name: 'x', batchSize: 1e9 }],
    ['fractional batchSize', 'batchSize', { name: 'x', batchSize: 12.5 }],
    ['negative learningRate', 'learningRate', { name: 'x', learningRate: -0.1 }],
    ['unknown arch', 'arch', { name: 'x', arch: 'vgg16' }],
    [
      'arch with a huge layer',
      'arch.convs.0.filters',
      { name: 'x', arch: { convs: [{ filters: 1e6, kernelSize: 3 }] } },
    ],
    ['unknown dataset', 'dataset', { name: 'x', dataset: 'imagenet' }],
    ['unknown optimizer', 'optimizer', { name: 'x', optimizer: 'lion' }],
    ['missing name', 'name', { epochs: 1 }],
    ['unknown field', '', { name: 'x', colour: 'red' }],
    ['unknown grid parameter', 'grid', { name: 'x', grid: { dropout: [0.1] } }],
    [
      '10^6 grid points',
      'grid.trainSize',
      { name: 'x', grid: { seed: range(1000), trainSize: range(1000).map((i) => i + 1) } },
    ],
    [
      'grid over the run cap',
      'grid',
      { name: 'x', grid: { seed: range(40), epochs: [1, 2, 3, 4, 5, 6, 7] } },
    ],
    [
      'loguniform with a bound <= 0',
      'space.learningRate.loguniform',
      { name: 'x', space: { learningRate: { loguniform: [0, 0.1] } } },
    ],
    [
      'randint beyond the epochs limit',
      'space.epochs.randint',
      { name: 'x', space: { epochs: { randint: [1, 500] } } },
    ],
    [
      'a choice of an unknown schedule',
      'space.lrSchedule.choice.0',
      { name: 'x', space: { lrSchedule: { choice: ['linear'] } } },
    ],
    [
      'random search over the run cap',
      'search.samples',
      { name: 'x', space: { seed: { randint: [0, 9] } }, search: { algorithm: 'random', samples: 257 } },
    ],
    ['an unknown scheduler', 'scheduler.type', { name: 'x', scheduler: { type: 'pbt' } }],
    [
      'ASHA on validation accuracy without validation',
      'scheduler.metric',
      { name: 'x', epochs: 4, validationSplit: 0, scheduler: { type: 'asha' } },
    ],
    [
      'ASHA with a reduction factor of 1',
      'scheduler.reductionFactor',
      { name: 'x', epochs: 4, scheduler: { type: 'asha', reductionFactor: 1 } },
    ],
    ['grid values of the wrong type', 'grid.learningRate.0', { name: 'x', grid: { learningRate: ['fast'] } }],
    ['a JSON array body', '', [1, 2]],
    ['a JSON string body', '', 'null'],
  ];
  it.each(sweepCases)('POST /v1/sweeps with %s -> 400 at %s', async (_what, field, body) => {
    const res = await api.call('POST', '/v1/sweeps', body);
    expect(res.status).toBe(400);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.code).toBe('invalid_request');
    expect(error.details?.issues?.map((i) => i.path)).toContain(field);
    if (field !== '') expect(error.message).toContain(field);
  });

  const camCases: [string, string, () => unknown][] = [
    ['unknown method', 'method', () => ({ runId: completedRun, indices: [0], method: 'lime' })],
    ['unknown colormap', 'colormap', () => ({ runId: completedRun, indices: [0], colormap: 'rainbow' })],
    ['size too small', 'size', () => ({ runId: completedRun, indices: [0], size: 10 })],
    ['size too large', 'size', () => ({ runId: completedRun, indices: [0], size: 5000 })],
    ['negative index', 'indices.0', () => ({ runId: completedRun, indices: [-1] })],
    ['index out of range', 'indices.0', () => ({ runId: completedRun, split: 'test', indices: [10_000] })],
    ['too many indices', 'indices', () => ({ runId: completedRun, indices: range(65) })],
    ['indices and images', 'indices', () => ({ runId: completedRun, indices: [0], images: [png] })],
    ['neither indices nor images', 'indices', () => ({ runId: completedRun })],
    [
      'a non-PNG image',
      'images.0',
      () => ({ runId: completedRun, images: [Buffer.from('GIF89a....').toString('base64')] }),
    ],
    ['text that is not base64', 'images.0', () => ({ runId: completedRun, images: ['not an image!'] })],
    ['a truncated PNG', 'images.1', () => ({ runId: completedRun, images: [png, png.slice(0, 40)] })],
    ['a PNG declaring 100000x100000 pixels', 'images.0', () => ({ runId: completedRun, images: [hugePng] })],
    ['an unknown split', 'split', () => ({ runId: completedRun, split: 'val', indices: [0] })],
    ['a malformed run id', 'runId', () => ({ runId: '../../etc', indices: [0] })],
  ];
  it.each(camCases)('POST /v1/cam-batches with %s -> 400 at %s', async (_what, field, body) => {
    const res = await api.call('POST', '/v1/cam-batches', body());
    expect(res.status).toBe(400);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.details?.issues?.map((i) => i.path)).toContain(field);
  });

  it('409 for a CAM batch of a run that has not completed, 404 for an unknown run', async () => {
    const res = await api.call('POST', '/v1/cam-batches', { runId: queuedRun, indices: [0] });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({
      code: 'run_not_completed',
      details: { state: 'queued' },
    });
    expect(
      (await api.call('POST', '/v1/cam-batches', { runId: 'r-0123456789ab', indices: [0] })).status,
    ).toBe(404);
  });

  it('400 for malformed JSON', async () => {
    const res = await api.call('POST', '/v1/sweeps', '{"name": "x",');
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe('malformed_json');
  });

  it('413 for a body over the limit', async () => {
    const res = await api.call('POST', '/v1/cam-batches', {
      runId: completedRun,
      images: ['A'.repeat(100_000)],
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.code).toBe('payload_too_large');
  });

  it('415 for a body that is not JSON', async () => {
    for (const headers of [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      {},
    ] as Record<string, string>[]) {
      const res = await fetch(`${api.base}/v1/sweeps`, { method: 'POST', headers, body: 'name=x' });
      expect(res.status).toBe(415);
      expect(((await res.json()) as ErrorBody).error.code).toBe('unsupported_media_type');
    }
  });

  it('4xx, never 500, for odd requests', async () => {
    const cases: [number, string, RequestInit][] = [
      [400, '/v1/runs/%E0%A4%A', {}],
      [
        400,
        '/v1/sweeps',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '['.repeat(30_000) + ']'.repeat(30_000),
        },
      ],
      [
        400,
        '/v1/sweeps',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"name":"x","epochs":1e400}',
        },
      ],
      [
        415,
        '/v1/sweeps',
        { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' },
      ],
      [
        415,
        '/v1/sweeps',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
          body: '{}',
        },
      ],
      [
        400,
        '/v1/sweeps',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"__proto__":{"x":1},"name":"p"}',
        },
      ],
      [400, '/v1/sweeps?offset=-1', {}],
      [400, '/v1/sweeps?limit=1&limit=2', {}],
    ];
    for (const [status, route, init] of cases) {
      const res = await fetch(`${api.base}${route}`, init);
      expect(res.status, `${route} ${String(init.body ?? '').slice(0, 40)}`).toBe(status);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBeTypeOf('string');
    }
  });

  it('404 with the error shape for unknown routes and ids', async () => {
    for (const route of [
      '/v1/nothing',
      '/v1/runs/r-000000000000/events',
      '/v1/runs/r-000000000000/artifacts/model.json',
      '/v1/cam-batches/b-000000000000/files/montage.png',
    ]) {
      const res = await api.call('GET', route);
      expect(res.status, route).toBe(404);
      const body = (await res.json()) as ErrorBody;
      expect(Object.keys(body.error).sort()).toEqual(['code', 'details', 'message']);
    }
  });

  it('the service is still up and nothing was queued by the bad requests', async () => {
    expect((await api.call('GET', '/healthz')).status).toBe(200);
    expect((await api.call('GET', '/readyz')).status).toBe(200);
    const counts = await api.deps.queues.camRender.getJobCounts('waiting');
    expect(counts['waiting']).toBe(0);
    const sweeps = (await (await api.call('GET', '/v1/sweeps')).json()) as { total: number };
    expect(sweeps.total).toBe(2);
  });
});

describe('auth (API_TOKEN)', () => {
  let secured: TestApi;
  beforeAll(async () => {
    secured = await startApi({ apiToken: 's3cret-token' });
  });
  afterAll(async () => {
    await secured.close();
  });

  it.each([
    ['no header', {}],
    ['a wrong token', { authorization: 'Bearer wrong' }],
    ['a longer wrong token', { authorization: 'Bearer s3cret-token-and-more' }],
    ['a prefix of the token', { authorization: 'Bearer s3cret' }],
    ['another scheme', { authorization: 'Basic czNjcmV0LXRva2Vu' }],
  ])('401 with %s on /v1 and /admin', async (_what, headers) => {
    for (const route of ['/v1/sweeps', '/v1/openapi.json', '/v1/runs/r-000000000000', '/admin/queues']) {
      const res = await secured.call('GET', route, undefined, headers);
      expect(res.status, route).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await res.json()) as ErrorBody).error.code).toBe('unauthorized');
    }
    const post = await secured.call('POST', '/v1/sweeps', { name: 'x' }, headers);
    expect(post.status).toBe(401);
  });

  it('the right token passes; health, readiness and metrics stay open', async () => {
    const auth = { authorization: 'Bearer s3cret-token' };
    expect((await secured.call('GET', '/v1/sweeps', undefined, auth)).status).toBe(200);
    expect((await secured.call('POST', '/v1/sweeps', { name: 'ok' }, auth)).status).toBe(202);
    expect((await secured.call('GET', '/admin/queues', undefined, auth)).status).toBe(200);
    for (const route of ['/healthz', '/readyz', '/metrics'])
      expect((await secured.call('GET', route)).status).toBe(200);
  });

  it('without API_TOKEN no header is needed', async () => {
    expect((await api.call('GET', '/v1/sweeps')).status).toBe(200);
    expect((await api.call('GET', '/admin/queues')).status).toBe(200);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PNG } from 'pngjs';
import { buildModel, initBackend, saveModel } from '@cam/model';
import type { TrainingJob, TrainingJobResult } from '@cam/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeTrainer } from './fixtures.js';
import { QUEUE_NAMES, startApi, waitFor, type TestApi } from './support.js';

const ARCH = {
  convs: [
    { filters: 3, kernelSize: 3 },
    { filters: 4, kernelSize: 3 },
  ],
};

let api: TestApi;
let renderer: ChildProcess;
const output: string[] = [];
let runId = '';

interface EvaluationBody {
  state: string;
  error: string | null;
  result: {
    count: number;
    layer: string;
    rows: { name: string; baseline: boolean; deletionAuc: number; sanity: { flagged: boolean } }[];
    files: Record<string, string>;
  } | null;
}

async function finished(id: string): Promise<EvaluationBody> {
  return waitFor(
    async () => {
      const body = (await (await api.call('GET', `/v1/cam-evaluations/${id}`)).json()) as EvaluationBody;
      return body.state === 'completed' || body.state === 'failed' ? body : undefined;
    },
    150_000,
    `evaluation ${id} to finish`,
  );
}

beforeAll(async () => {
  api = await startApi();
  // A run completed by a stand-in trainer, then given a real (small, untrained) model of its architecture.
  api.worker<TrainingJob, TrainingJobResult>(
    QUEUE_NAMES.training,
    fakeTrainer(api.deps.registry, api.deps.store, 1),
  );
  const created = (await (
    await api.call('POST', '/v1/sweeps', { name: 'evaluate', arch: ARCH, epochs: 1 })
  ).json()) as { runs: { id: string }[] };
  runId = created.runs[0]!.id;
  await waitFor(
    async () =>
      ((await (await api.call('GET', `/v1/runs/${runId}`)).json()) as { state: string }).state ===
        'completed' || undefined,
    20_000,
    'the run to complete',
  );
  await initBackend('cpu');
  await saveModel(
    buildModel({ name: 'tiny', inputShape: [28, 28, 1], convs: ARCH.convs, classes: 10 }, { seed: 2 }),
    path.join(api.artifactsDir, 'runs', runId),
  );
  // The real render worker process, on the API's queues and artifacts folder.
  renderer = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve(import.meta.dirname, '../../renderer/src/main.ts')],
    {
      env: {
        ...process.env,
        REDIS_URL: api.redisUrl,
        BULL_PREFIX: api.prefix,
        ARTIFACTS_DIR: api.artifactsDir,
        CAM_BACKEND: 'cpu',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [renderer.stdout!, renderer.stderr!])
    stream.on('data', (d: Buffer) => output.push(d.toString()));
}, 60_000);

afterAll(async () => {
  renderer?.kill('SIGKILL');
  await api.close();
});

describe('CAM evaluations through the API, run by a real render worker process', () => {
  it('POST /v1/cam-evaluations queues an evaluation; GET gives every method and baseline on every metric, and its files', async () => {
    const res = await api.call('POST', '/v1/cam-evaluations', {
      runId,
      methods: ['gradcam', 'layercam'],
      layer: 'conv_1',
      count: 6,
      steps: 4,
      sanityCount: 2,
      canvas: 36,
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^e-/);
    expect(res.headers.get('location')).toBe(`/v1/cam-evaluations/${id}`);
    const body = await finished(id);
    expect(body.error, output.join('')).toBeNull();
    expect(body.state).toBe('completed');
    const result = body.result!;
    expect([result.count, result.layer]).toEqual([6, 'conv_1']);
    expect(result.rows.map((r) => [r.name, r.baseline])).toEqual([
      ['gradcam', false],
      ['layercam', false],
      ['random map', true],
      ['centred blob', true],
    ]);
    expect(result.rows.find((r) => r.name === 'random map')!.sanity.flagged).toBe(true);
    for (const row of result.rows) expect(Number.isFinite(row.deletionAuc)).toBe(true);
    const curves = await api.call('GET', result.files['curves.png']!);
    expect(curves.headers.get('content-type')).toBe('image/png');
    expect(PNG.sync.read(Buffer.from(await curves.arrayBuffer())).width).toBeGreaterThan(600);
    const json = (await (await api.call('GET', result.files['evaluation.json']!)).json()) as {
      rows: unknown[];
    };
    expect(json.rows).toHaveLength(4);
  }, 180_000);

  it('fails an evaluation of a layer the model lacks with the reason, and refuses bad requests up front', async () => {
    const res = await api.call('POST', '/v1/cam-evaluations', {
      runId,
      methods: ['gradcam'],
      layer: 'conv_9',
      count: 2,
    });
    expect(res.status).toBe(202);
    const body = await finished(((await res.json()) as { id: string }).id);
    expect(body.state).toBe('failed');
    expect(body.error).toMatch(/layer 'conv_9' is not a conv layer of this model \(one of conv_1, conv_2\)/);

    const bad = await api.call('POST', '/v1/cam-evaluations', { runId, count: 0 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^count: /);
    expect((await api.call('POST', '/v1/cam-evaluations', { runId: 'r-000000000000' })).status).toBe(404);
    expect((await api.call('GET', '/v1/cam-evaluations/e-000000000000')).status).toBe(404);
    expect((await api.call('GET', '/v1/cam-evaluations/nonsense')).status).toBe(404);
  }, 180_000);
});

import { describe, expect, it } from 'vitest';
import {
  CamBatchRequestSchema,
  CamJobSchema,
  LIMITS,
  SweepRequestSchema,
  TrainingJobSchema,
  RunParamsSchema,
  expandGrid,
  expandSweep,
  gridSize,
  searchOf,
  sweepRunCount,
  isPngBase64,
  newId,
} from '../src/index.js';

const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';

function issuePaths(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string[] {
  return (result.error?.issues ?? []).map((issue) => issue.path.join('.'));
}

describe('SweepRequestSchema', () => {
  it('fills defaults for every parameter left out', () => {
    const sweep = SweepRequestSchema.parse({ name: 'lr' });
    expect(sweep).toMatchObject({ dataset: 'mnist', arch: 'c3', epochs: 2, optimizer: 'adam', grid: {} });
  });

  it('accepts the issue example and a custom architecture', () => {
    const sweep = SweepRequestSchema.parse({
      name: 'lr',
      dataset: 'mnist',
      arch: { convs: [{ filters: 4, kernelSize: 3 }] },
      trainSize: 6000,
      testSize: 1000,
      epochs: 2,
      batchSize: 128,
      learningRate: 0.001,
      seed: 1,
      grid: { learningRate: [0.001, 0.003] },
    });
    expect(sweep.grid.learningRate).toEqual([0.001, 0.003]);
  });

  it.each([
    [{ name: 'x', trainSize: -1 }, 'trainSize'],
    [{ name: 'x', trainSize: 10 ** 9 }, 'trainSize'],
    [{ name: 'x', epochs: 1.5 }, 'epochs'],
    [{ name: 'x', batchSize: '128' }, 'batchSize'],
    [{ name: 'x', arch: 'resnet' }, 'arch'],
    [{ name: 'x', arch: { convs: [] } }, 'arch.convs'],
    [{ name: 'x', dataset: '/etc' }, 'dataset'],
    [{ name: 'x', learningRate: 0 }, 'learningRate'],
    [{ name: 'x', grid: { colour: [1] } }, 'grid'],
    [{ name: 'x', grid: { learningRate: [] } }, 'grid.learningRate'],
    [{ name: 'x', grid: { epochs: [1, -2] } }, 'grid.epochs.1'],
    [{ name: 'x', unknown: 1 }, ''],
    [{}, 'name'],
  ])('rejects %j at %s', (body, path) => {
    const result = SweepRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });

  it('caps the number of grid combinations', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(LIMITS.maxSweepRuns).toBe(256);
    const ok = SweepRequestSchema.safeParse({ name: 'x', grid: { seed: values(16), epochs: values(16) } });
    expect(ok.success).toBe(true);
    const tooMany = SweepRequestSchema.safeParse({
      name: 'x',
      grid: { seed: values(16), epochs: values(17) },
    });
    expect(tooMany.success).toBe(false);
    expect(issuePaths(tooMany)).toEqual(['grid']);
    expect(tooMany.error?.issues[0]?.message).toContain('272 runs');
  });
});

describe('search spaces', () => {
  const ISSUE_SPACE = {
    learningRate: { loguniform: [1e-4, 1e-1] },
    batchSize: { choice: [32, 64, 128] },
    momentum: { uniform: [0.8, 0.99] },
    epochs: { randint: [2, 8] },
    lrSchedule: { choice: ['constant', 'cosine'] },
  };

  it('samples N configurations per grid point, seeded, each a valid run', () => {
    const request = SweepRequestSchema.parse({
      name: 's',
      grid: { optimizer: ['adam', 'sgd'] },
      space: ISSUE_SPACE,
      search: { algorithm: 'random', samples: 5, seed: 3 },
    });
    const runs = expandSweep(request);
    expect(runs).toHaveLength(10);
    expect(sweepRunCount(request)).toBe(10);
    expect(runs.slice(0, 5).every((r) => r.optimizer === 'adam')).toBe(true);
    expect(runs.slice(5).every((r) => r.optimizer === 'sgd')).toBe(true);
    for (const run of runs) {
      expect(RunParamsSchema.parse(run)).toEqual(run);
      expect(run.epochs).toBeGreaterThanOrEqual(2);
      expect(run.epochs).toBeLessThan(8);
    }
    expect(expandSweep(SweepRequestSchema.parse(request))).toEqual(runs);
    const otherSeed = SweepRequestSchema.parse({ ...request, search: { ...request.search, seed: 4 } });
    expect(expandSweep(otherSeed)).not.toEqual(runs);
  });

  it('defaults to random search with one sample when a space is given', () => {
    const request = SweepRequestSchema.parse({
      name: 's',
      space: { learningRate: { uniform: [0.001, 0.01] } },
    });
    expect(searchOf(request)).toEqual({ algorithm: 'random', samples: 1, seed: 0 });
    expect(expandSweep(request)).toHaveLength(1);
  });

  it.each([
    [{ learningRate: { loguniform: [0, 0.1] } }, {}, 'space.learningRate.loguniform'],
    [{ learningRate: { uniform: [0.001, 20] } }, {}, 'space.learningRate.uniform'],
    [{ epochs: { randint: [1, 1000] } }, {}, 'space.epochs.randint'],
    [{ epochs: { uniform: [2, 8] } }, {}, 'space.epochs.uniform'],
    [{ batchSize: { qrandint: [10, 64, 16] } }, {}, 'space.batchSize.qrandint'],
    [{ optimizer: { choice: ['adam', 'rmsprop'] } }, {}, 'space.optimizer.choice.1'],
    [{ lrSchedule: { choice: ['cosine', 'step:0:2'] } }, {}, 'space.lrSchedule.choice.1'],
    [{ colour: { choice: [1] } }, {}, 'space'],
    [{ learningRate: { normal: [0, 1] } }, {}, 'space.learningRate'],
    [{ seed: { choice: [1, 2] } }, { grid: { seed: [3] } }, 'space.seed'],
    [{ seed: { choice: [1, 2] } }, { search: { algorithm: 'grid' } }, 'search.algorithm'],
    [{}, { search: { algorithm: 'random' } }, 'space'],
    [{ seed: { randint: [0, 9] } }, { search: { algorithm: 'random', samples: 300 } }, 'search.samples'],
    [{ momentum: { uniform: [0.5, 0.9] } }, { scheduler: { type: 'asha', validationSplit: 0 } }, 'scheduler'],
    [{}, { scheduler: { type: 'asha', gracePeriod: 2 }, epochs: 2 }, 'scheduler.gracePeriod'],
    [{}, { scheduler: { type: 'asha', reductionFactor: 1 } }, 'scheduler.reductionFactor'],
    [{}, { scheduler: { type: 'hyperband' } }, 'scheduler.type'],
    [{}, { validationSplit: 0, scheduler: { type: 'asha' }, epochs: 4 }, 'scheduler.metric'],
  ])('refuses space %j with %j at %s', (space, rest, path) => {
    const result = SweepRequestSchema.safeParse({ name: 'x', space, ...rest });
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });

  it('fills the scheduler defaults, mode from the metric', () => {
    const request = SweepRequestSchema.parse({
      name: 'a',
      epochs: 9,
      scheduler: { type: 'asha', metric: 'validationLoss' },
    });
    expect(request.scheduler).toEqual({
      type: 'asha',
      metric: 'validationLoss',
      mode: 'min',
      gracePeriod: 1,
      reductionFactor: 3,
    });
  });
});

describe('expandGrid', () => {
  it('gives one run per combination over the base parameters, first parameter slowest', () => {
    const sweep = SweepRequestSchema.parse({
      name: 'g',
      epochs: 3,
      grid: { learningRate: [0.1, 0.2], seed: [1, 2, 3] },
    });
    const runs = expandGrid(sweep);
    expect(gridSize(sweep.grid)).toBe(6);
    expect(runs.map((r) => [r.learningRate, r.seed])).toEqual([
      [0.1, 1],
      [0.1, 2],
      [0.1, 3],
      [0.2, 1],
      [0.2, 2],
      [0.2, 3],
    ]);
    for (const run of runs) {
      expect(run.epochs).toBe(3);
      expect(run).not.toHaveProperty('grid');
      expect(run).not.toHaveProperty('name');
      expect(
        TrainingJobSchema.safeParse({ runId: newId('run'), sweepId: newId('sweep'), params: run }).success,
      ).toBe(true);
    }
  });

  it('gives the base parameters alone for an empty grid', () => {
    expect(expandGrid(SweepRequestSchema.parse({ name: 'one' }))).toHaveLength(1);
  });
});

describe('CamBatchRequestSchema', () => {
  const runId = newId('run');

  it('accepts indices or images and fills defaults', () => {
    const byIndex = CamBatchRequestSchema.parse({ runId, split: 'test', indices: [0, 1, 2] });
    expect(byIndex).toMatchObject({
      method: 'cam',
      target: 'predicted',
      colormap: 'jet',
      size: 112,
      alpha: 0.8,
    });
    expect(CamBatchRequestSchema.parse({ runId, images: [PNG_1X1], target: 3 }).images).toHaveLength(1);
    expect(byIndex.layer).toBeUndefined();
    expect(
      CamBatchRequestSchema.parse({ runId, indices: [0], method: 'layercam', layer: 'conv_3' }).layer,
    ).toBe('conv_3');
  });

  it.each([
    [{ runId }, 'indices'],
    [{ runId, indices: [0], images: [PNG_1X1] }, 'indices'],
    [{ runId, images: [PNG_1X1], split: 'test' }, 'split'],
    [{ runId, images: [PNG_1X1], target: 'label' }, 'target'],
    [{ runId, images: ['aGVsbG8gd29ybGQ='] }, 'images.0'],
    [{ runId, indices: [-1] }, 'indices.0'],
    [{ runId, indices: Array(LIMITS.maxCamItems + 1).fill(0) }, 'indices'],
    [{ runId, indices: [0], method: 'lime' }, 'method'],
    [{ runId, indices: [0], colormap: 'rainbow' }, 'colormap'],
    [{ runId, indices: [0], size: 27 }, 'size'],
    [{ runId, indices: [0], size: 897 }, 'size'],
    [{ runId, indices: [0], alpha: 2 }, 'alpha'],
    [{ runId, indices: [0], target: 10 }, 'target'],
    [{ runId, indices: [0], layer: '' }, 'layer'],
    [{ runId, indices: [0], layer: 'conv 3/..' }, 'layer'],
    [{ runId: '../x', indices: [0] }, 'runId'],
  ])('rejects %j at %s', (body, path) => {
    const result = CamBatchRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });

  it('CamJobSchema adds the batch id and dataset', () => {
    const job = CamJobSchema.parse({ runId, batchId: newId('camBatch'), dataset: 'mnist', indices: [4] });
    expect(job.dataset).toBe('mnist');
  });
});

describe('isPngBase64', () => {
  it('checks the PNG signature', () => {
    expect(isPngBase64(PNG_1X1)).toBe(true);
    expect(isPngBase64(Buffer.from('GIF89a').toString('base64'))).toBe(false);
    expect(isPngBase64('not base64!')).toBe(false);
  });
});

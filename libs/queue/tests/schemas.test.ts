import { describe, expect, it } from 'vitest';
import {
  CamBatchRequestSchema,
  CamJobSchema,
  LIMITS,
  SweepRequestSchema,
  TrainingJobSchema,
  expandGrid,
  gridSize,
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
    const ok = SweepRequestSchema.safeParse({ name: 'x', grid: { seed: values(8), epochs: values(8) } });
    expect(ok.success).toBe(true);
    const tooMany = SweepRequestSchema.safeParse({ name: 'x', grid: { seed: values(8), epochs: values(9) } });
    expect(tooMany.success).toBe(false);
    expect(issuePaths(tooMany)).toEqual(['grid']);
    expect(tooMany.error?.issues[0]?.message).toContain('72 runs');
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
      alpha: 0.5,
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

import { describe, expect, it } from 'vitest';
import { RUN_PARAM_DEFAULTS, type RunSummary } from '@cam/contracts';
import { curvesOption, parallelOption } from '../src/lib/chart-options.js';
import { heatmapCells, parseConfusionCsv } from '../src/lib/confusion.js';
import { issuesByField, parseIndices, parseNumberList } from '../src/lib/issues.js';
import { mapValueAt, parseNpyFloat32 } from '../src/lib/npy.js';
import { href, parseRoute, type Route } from '../src/lib/routes.js';
import { bestValAccuracy, nextSort, sortRows, varyingParams, type RunRow } from '../src/lib/runs.js';

function run(id: string, { lr, ...patch }: Partial<RunSummary> & { lr?: number } = {}): RunSummary {
  return {
    id,
    state: 'completed',
    params: { ...RUN_PARAM_DEFAULTS, learningRate: lr ?? 0.001 },
    progress: null,
    history: [],
    stoppedAtEpoch: null,
    summary: null,
    failure: null,
    ...patch,
  };
}
const epoch = (n: number, valAccuracy?: number) => ({
  epoch: n,
  loss: 1 / n,
  accuracy: 0.5,
  learningRate: 0.001,
  seconds: 1,
  ...(valAccuracy === undefined ? {} : { valAccuracy, valLoss: 1 - valAccuracy }),
});

describe('routes', () => {
  it.each<[string, Route]>([
    ['', { page: 'sweeps', offset: 0 }],
    ['#/', { page: 'sweeps', offset: 0 }],
    ['#/sweeps?offset=40', { page: 'sweeps', offset: 40 }],
    ['#/sweeps?offset=-3', { page: 'sweeps', offset: 0 }],
    ['#/sweeps/s-0123456789ab', { page: 'sweep', id: 's-0123456789ab' }],
    ['#/runs/r-0123456789ab', { page: 'run', id: 'r-0123456789ab' }],
    ['#/cam-batches/b-1', { page: 'cam-batch', id: 'b-1', compare: [] }],
    ['#/cam-batches/b-1?compare=b-2,b-3', { page: 'cam-batch', id: 'b-1', compare: ['b-2', 'b-3'] }],
    ['#/nothing/here/at/all', { page: 'not-found', hash: '#/nothing/here/at/all' }],
  ])('%s is %j, and href() leads back to it', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    if (route.page !== 'not-found') expect(parseRoute(href(route))).toEqual(route);
  });
});

describe('form helpers', () => {
  it('groups 400 issues under the longest field their path starts with', () => {
    const byField = issuesByField(
      [
        { path: 'grid.learningRate.1', message: 'too big' },
        { path: 'grid', message: 'expands to 100 runs' },
        { path: 'epochs', message: 'too small' },
        { path: 'space.lr', message: 'unknown' },
      ],
      ['epochs', 'grid', 'grid.learningRate'],
    );
    expect(Object.fromEntries(byField)).toEqual({
      'grid.learningRate': ['grid.learningRate.1: too big'],
      grid: ['expands to 100 runs'],
      epochs: ['too small'],
      '': ['unknown'],
    });
  });

  it('parses number lists and index ranges, naming what is wrong', () => {
    expect(parseNumberList('0.001, 0.003 1e-2')).toEqual([0.001, 0.003, 0.01]);
    expect(parseNumberList('')).toEqual([]);
    expect(parseNumberList('a')).toEqual([NaN]);
    expect(parseIndices('0-3, 9', 64)).toEqual([0, 1, 2, 3, 9]);
    expect(parseIndices('5-2', 64)).toBe("'5-2' runs backwards");
    expect(parseIndices('x', 64)).toBe("'x' is not an index or a range such as 0-15");
    expect(parseIndices('0-64', 64)).toBe('at most 64 images per batch');
    expect(parseIndices(' ', 64)).toBe('give at least one index');
  });
});

describe('run rows', () => {
  const rows: RunRow[] = [
    { run: run('r-a', { lr: 0.01, state: 'active' }), history: [epoch(1, 0.6)] },
    { run: run('r-b', { lr: 0.001, summary: null }), history: [epoch(1, 0.7), epoch(2, 0.9)] },
    { run: run('r-c', { lr: 0.003, state: 'queued' }), history: [] },
  ];

  it('finds the varied parameters', () => {
    expect(varyingParams(rows.map((r) => r.run))).toEqual(['learningRate']);
    expect(varyingParams([run('r-a')])).toEqual([]);
  });

  it('sorts by best validation accuracy, runs without one last, and flips on a second click', () => {
    const byBest = nextSort({ key: 'id', descending: false }, 'best');
    expect(byBest).toEqual({ key: 'best', descending: true });
    expect(sortRows(rows, byBest).map((r) => r.run.id)).toEqual(['r-b', 'r-a', 'r-c']);
    expect(sortRows(rows, nextSort(byBest, 'best')).map((r) => r.run.id)).toEqual(['r-a', 'r-b', 'r-c']);
    expect(sortRows(rows, { key: 'param:learningRate', descending: false }).map((r) => r.run.id)).toEqual([
      'r-b',
      'r-c',
      'r-a',
    ]);
  });

  it("prefers a completed run's kept accuracy over its best epoch", () => {
    const kept = { trainAccuracy: 1, validationAccuracy: 0.8, testAccuracy: 1, epochsRun: 2, wallSeconds: 1 };
    expect(bestValAccuracy({ run: run('r-x', { summary: kept }), history: [epoch(1, 0.95)] })).toBe(0.8);
    expect(bestValAccuracy({ run: run('r-x'), history: [epoch(1, 0.5), epoch(2, 0.7)] })).toBe(0.7);
  });

  it('builds one curve per run with history and a log axis for a learning rate spanning 10x', () => {
    const curves = curvesOption(rows, 'valAccuracy', 'val') as {
      series: { name: string; data: unknown[] }[];
    };
    expect(curves.series.map((s) => [s.name, s.data])).toEqual([
      ['r-a', [[1, 0.6]]],
      [
        'r-b',
        [
          [1, 0.7],
          [2, 0.9],
        ],
      ],
    ]);
    const parallel = parallelOption(rows, ['learningRate'], bestValAccuracy);
    expect(parallel.parallelAxis[0]).toEqual({ dim: 0, name: 'learningRate', type: 'log' });
    expect(parallel.series[0]?.data).toEqual([
      [0.01, 0.6],
      [0.001, 0.9],
    ]);
  });
});

describe('files', () => {
  it('reads the confusion CSV the trainer writes into heat map cells', () => {
    const matrix = parseConfusionCsv('true\\predicted,0,1\n0,5,1\n1,2,7\n');
    expect(matrix).toEqual([
      [5, 1],
      [2, 7],
    ]);
    expect(heatmapCells(matrix)).toEqual([
      [0, 0, 5],
      [1, 0, 1],
      [0, 1, 2],
      [1, 1, 7],
    ]);
    expect(() => parseConfusionCsv('h\n0,1\n5,2\n')).toThrow('row 2 is malformed');
  });

  it('reads a float32 .npy (the layout @cam/cam writes) and the value under a point', () => {
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 3), }";
    const header = dict + ' '.repeat(64 - ((10 + dict.length + 1) % 64)) + '\n';
    const buffer = new ArrayBuffer(10 + header.length + 12 * 4);
    const bytes = new Uint8Array(buffer);
    bytes.set([0x93, ...'NUMPY'].map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c)));
    bytes[6] = 1;
    new DataView(buffer).setUint16(8, header.length, true);
    bytes.set(
      [...header].map((c) => c.charCodeAt(0)),
      10,
    );
    const values = new Float32Array(buffer, 10 + header.length, 12);
    values.set(Array.from({ length: 12 }, (_, i) => i * 0.5));
    const maps = parseNpyFloat32(buffer);
    expect(maps.shape).toEqual([2, 2, 3]);
    // Map 1, bottom row (fy 0.75 -> row 1), last column (fx 0.9 -> col 2): element 6 + 3 + 2 = 11.
    expect(mapValueAt(maps, 1, 0.9, 0.75)).toBe(5.5);
    expect(mapValueAt(maps, 0, 0, 0)).toBe(0);
    expect(mapValueAt(maps, 2, 0, 0)).toBeNull();
    expect(mapValueAt(maps, 0, 1, 0)).toBeNull();
    expect(() => parseNpyFloat32(new ArrayBuffer(16))).toThrow('not a .npy file');
  });
});

import { encodePng } from '@cam/cam';
import { describe, expect, it } from 'vitest';
import { camInputItems, DatasetSplits } from '../src/images.js';
import type { CamJob } from '@cam/queue';

function squarePng(side: number, value: (x: number, y: number) => number): Buffer {
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) data.fill(value(x, y), (y * side + x) * 3, (y * side + x) * 3 + 3);
  return encodePng({ width: side, height: side, data });
}

const baseJob = {
  runId: 'r-000000000001',
  batchId: 'b-000000000001',
  dataset: 'mnist',
  method: 'cam',
  target: 'predicted',
  colormap: 'jet',
  size: 112,
  alpha: 0.5,
} as const;

describe('camInputItems', () => {
  const splits = new DatasetSplits();

  it('takes MNIST test digits with their labels', async () => {
    const items = await camInputItems({ ...baseJob, split: 'test', indices: [0, 1] } as CamJob, splits);
    expect(items.map((i) => [i.index, i.label])).toEqual([
      [0, 7],
      [1, 2],
    ]);
    expect(items[0].image.length).toBe(784);
  });

  it('rejects an index past the end of the split, naming it', async () => {
    await expect(
      camInputItems({ ...baseJob, split: 'test', indices: [3, 10_000] } as CamJob, splits),
    ).rejects.toThrow(/^indices\[1\]: 10000 is out of range \(mnist test has 10000 images\)/);
  });

  it('names the uploaded image that cannot be decoded', async () => {
    const png = squarePng(28, () => 128).toString('base64');
    await expect(
      camInputItems(
        { ...baseJob, images: [png, Buffer.from('not a png').toString('base64')] } as CamJob,
        splits,
      ),
    ).rejects.toThrow(/^images\[1\]: is not a PNG/);
  });

  it('numbers uploaded images by position, without labels', async () => {
    const png = squarePng(28, () => 128).toString('base64');
    const items = await camInputItems({ ...baseJob, images: [png, png] } as CamJob, splits);
    expect(items.map((i) => [i.index, i.label])).toEqual([
      [0, undefined],
      [1, undefined],
    ]);
  });
});

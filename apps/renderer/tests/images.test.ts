import { encodePng } from '@cam/cam';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { camBatchUploadKey, type CamJob } from '@cam/queue';
import { DirectoryArtifactStore } from '@cam/storage';
import { describe, expect, it } from 'vitest';
import { camInputItems, DatasetSplits } from '../src/images.js';

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
  const sources = {
    splits: new DatasetSplits(),
    store: new DirectoryArtifactStore(mkdtempSync(join(tmpdir(), 'cam-renderer-images-'))),
  };
  /** A job of uploaded PNGs, put into the store as the API does. */
  let batches = 0;
  async function uploadJob(pngs: Buffer[]): Promise<CamJob> {
    const batchId = `b-${String(++batches).padStart(12, '0')}`;
    for (const [i, png] of pngs.entries()) await sources.store.put(camBatchUploadKey(batchId, i), png);
    return { ...baseJob, batchId, uploads: pngs.length } as CamJob;
  }

  it('takes MNIST test digits with their labels', async () => {
    const items = await camInputItems({ ...baseJob, split: 'test', indices: [0, 1] } as CamJob, sources);
    expect(items.map((i) => [i.index, i.label])).toEqual([
      [0, 7],
      [1, 2],
    ]);
    expect(items[0].image.length).toBe(784);
  });

  it('rejects an index past the end of the split, naming it', async () => {
    await expect(
      camInputItems({ ...baseJob, split: 'test', indices: [3, 10_000] } as CamJob, sources),
    ).rejects.toThrow(/^indices\[1\]: 10000 is out of range \(mnist test has 10000 images\)/);
  });

  it('names the uploaded image that cannot be decoded, or is missing from the store', async () => {
    const png = squarePng(28, () => 128);
    const job = await uploadJob([png, Buffer.from('not a png')]);
    await expect(camInputItems(job, sources)).rejects.toThrow(/^images\[1\]: is not a PNG/);
    const good = await uploadJob([png]);
    await expect(camInputItems({ ...good, uploads: 2 }, sources)).rejects.toThrow(
      /^images\[1\]: the uploaded PNG is no longer in the artifact store/,
    );
  });

  it('numbers uploaded images by position, without labels', async () => {
    const png = squarePng(28, () => 128);
    const items = await camInputItems(await uploadJob([png, png, png]), sources);
    expect(items.map((i) => [i.index, i.label])).toEqual([
      [0, undefined],
      [1, undefined],
      [2, undefined],
    ]);
  });
});

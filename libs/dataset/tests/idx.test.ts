import { describe, expect, it } from 'vitest';
import { IdxFormatError, loadDataset, readIdxImages, readIdxLabels } from '../src/index.js';
import { idxImages, idxLabels, tempFolder } from './fixtures.js';

const LABELS = [3, 1, 4, 1, 5];
const pixel = (i: number) => (i * 7) % 256;

function fourFiles(suffix = ''): Record<string, Uint8Array> {
  return {
    [`train-images-idx3-ubyte${suffix}`]: idxImages(5, 4, 3, pixel),
    [`train-labels-idx1-ubyte${suffix}`]: idxLabels(LABELS),
    [`t10k-images-idx3-ubyte${suffix}`]: idxImages(2, 4, 3, () => 9),
    [`t10k-labels-idx1-ubyte${suffix}`]: idxLabels([0, 9]),
  };
}

describe('IDX parsing', () => {
  it('reads a hand-made images file', () => {
    const parsed = readIdxImages(idxImages(5, 4, 3, pixel), 'x');
    expect(parsed).toMatchObject({ count: 5, rows: 4, cols: 3 });
    expect(parsed.images.length).toBe(60);
    expect(Array.from(parsed.images.subarray(0, 4))).toEqual([0, 7, 14, 21]);
    expect(parsed.images[59]).toBe((59 * 7) % 256);
  });

  it('reads a hand-made labels file', () => {
    expect(Array.from(readIdxLabels(idxLabels(LABELS), 'y'))).toEqual(LABELS);
  });

  it('rejects a wrong magic number, naming the file', () => {
    expect(() => readIdxImages(idxImages(1, 2, 2, pixel, 0x0803_0000), 'imgs.idx')).toThrow(
      /imgs\.idx: magic number 0x08030000 is not 0x00000803/,
    );
    expect(() => readIdxLabels(idxLabels([1], 0x0802), 'lbl.idx')).toThrow(IdxFormatError);
    expect(() => readIdxImages(idxLabels([1, 2, 3, 4, 5, 6, 7, 8]), 'swapped')).toThrow(
      /looks like a labels file/,
    );
  });

  it('rejects truncated files and files with extra bytes', () => {
    const full = idxImages(5, 4, 3, pixel);
    expect(() => readIdxImages(full.subarray(0, full.length - 1), 'cut')).toThrow(
      /cut: truncated: header says 5 images of 4x3 \(76 bytes\) but the file has 75 bytes/,
    );
    expect(() => readIdxImages(full.subarray(0, 10), 'short')).toThrow(
      /short: truncated: 10 bytes is shorter than the 16-byte/,
    );
    const labels = idxLabels(LABELS);
    expect(() => readIdxLabels(labels.subarray(0, 9), 'lab')).toThrow(/lab: truncated: header says 5 labels/);
    const longer = new Uint8Array(labels.length + 2);
    longer.set(labels);
    expect(() => readIdxLabels(longer, 'long')).toThrow(/long: 2 unexpected bytes after/);
  });

  it('rejects zero image dimensions', () => {
    expect(() => readIdxImages(idxImages(2, 0, 3, pixel), 'flat')).toThrow(
      /flat: image size 0x3 has a zero dimension/,
    );
  });
});

describe('loadDataset from a folder', () => {
  it('reads raw and .gz files identically', async () => {
    const raw = tempFolder(fourFiles());
    const gz = tempFolder(fourFiles('.gz'));
    try {
      for (const split of ['train', 'test'] as const) {
        const a = await loadDataset({ dataset: raw.dir, split });
        const b = await loadDataset({ dataset: gz.dir, split });
        expect(b).toEqual(a);
      }
      const train = await loadDataset({ dataset: gz.dir, split: 'train' });
      expect(Array.from(train.labels)).toEqual(LABELS);
      expect(train.images[1]).toBe(7);
    } finally {
      raw.remove();
      gz.remove();
    }
  });

  it('rejects images and labels whose counts disagree', async () => {
    const files = fourFiles();
    files['train-labels-idx1-ubyte'] = idxLabels([1, 2, 3]);
    const folder = tempFolder(files);
    try {
      await expect(loadDataset({ dataset: folder.dir, split: 'train' })).rejects.toThrow(
        /train-images-idx3-ubyte: holds 5 images but train-labels-idx1-ubyte holds 3 labels/,
      );
    } finally {
      folder.remove();
    }
  });

  it('rejects a .gz file that is corrupt, naming it', async () => {
    const files = fourFiles('.gz');
    const folder = tempFolder(files);
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${folder.dir}/t10k-images-idx3-ubyte.gz`, Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
      await expect(loadDataset({ dataset: folder.dir, split: 'test' })).rejects.toThrow(
        /t10k-images-idx3-ubyte\.gz: not a valid gzip file/,
      );
    } finally {
      folder.remove();
    }
  });
});

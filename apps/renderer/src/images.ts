import { decodePng, mapResizer } from '@cam/cam';
import { imageAt, loadDataset, type ImageSet } from '@cam/dataset';
import type { CamJob } from '@cam/queue';

/** One image to explain, as the CAM library takes it. */
export interface InputItem {
  image: Uint8Array;
  index: number;
  label?: number;
}

/** A job input the renderer cannot use (the message names the field); the job fails without retry. */
export class BadCamInputError extends Error {
  override name = 'BadCamInputError';
}

/**
 * An uploaded PNG as a grey rows x cols digit: decoded (any colour type), averaged to grey, resized bilinearly.
 * @throws BadCamInputError naming `field` when it is not a PNG or larger than the resizer takes
 */
export function greyDigitFromPng(png: Buffer, rows: number, cols: number, field: string): Uint8Array {
  let rgb;
  try {
    rgb = decodePng(png);
  } catch (err) {
    throw new BadCamInputError(`${field}: not a decodable PNG (${(err as Error).message})`);
  }
  const grey = new Float32Array(rgb.width * rgb.height);
  for (let i = 0; i < grey.length; i++)
    grey[i] = (rgb.data[i * 3] + rgb.data[i * 3 + 1] + rgb.data[i * 3 + 2]) / 3;
  let resize;
  try {
    resize = mapResizer(rgb.height, rgb.width, rows, cols, 'bilinear');
  } catch (err) {
    throw new BadCamInputError(
      `${field}: ${rgb.width}x${rgb.height} image cannot be resized (${(err as Error).message})`,
    );
  }
  return Uint8Array.from(resize(grey), (v) => Math.round(Math.min(255, Math.max(0, v))));
}

/** Loads dataset splits once per process: a test split is 10,000 images, a train split 60,000. */
export class DatasetSplits {
  private readonly sets = new Map<string, Promise<ImageSet>>();

  get(dataset: string, split: 'train' | 'test'): Promise<ImageSet> {
    const key = `${dataset}/${split}`;
    let set = this.sets.get(key);
    if (!set) {
      set = loadDataset({ dataset, split });
      set.catch(() => this.sets.delete(key));
      this.sets.set(key, set);
    }
    return set;
  }
}

/** The job's images: dataset samples (split + indices, with labels) or uploaded PNGs (index = position). */
export async function camInputItems(
  job: CamJob,
  splits: DatasetSplits,
  rows = 28,
  cols = 28,
): Promise<InputItem[]> {
  if (job.images) {
    return job.images.map((text, i) => ({
      image: greyDigitFromPng(Buffer.from(text, 'base64'), rows, cols, `images[${i}]`),
      index: i,
    }));
  }
  const split = job.split ?? 'test';
  const set = await splits.get(job.dataset, split);
  return (job.indices ?? []).map((index, i) => {
    if (index >= set.count) {
      throw new BadCamInputError(
        `indices[${i}]: ${index} is out of range (${job.dataset} ${split} has ${set.count} images)`,
      );
    }
    return { image: imageAt(set, index).slice(), index, label: set.labels[index] };
  });
}

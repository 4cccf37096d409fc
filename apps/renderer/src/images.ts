import { UploadedImageError, greyDigitFromPng } from '@cam/cam';
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
    return job.images.map((text, i) => {
      try {
        return { image: greyDigitFromPng(Buffer.from(text, 'base64'), rows, cols), index: i };
      } catch (err) {
        if (err instanceof UploadedImageError) throw new BadCamInputError(`images[${i}]: ${err.message}`);
        throw err;
      }
    });
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

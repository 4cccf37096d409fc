import { UploadedImageError, greyDigitFromPng } from '@cam/cam';
import { imageAt, loadDataset, type ImageSet } from '@cam/dataset';
import { camBatchUploadKey, type CamJob } from '@cam/queue';
import { ArtifactNotFoundError, type ArtifactStore } from '@cam/storage';

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

/** Where a job's images come from: the dataset's splits, or the PNGs the API put into the store. */
export interface CamInputSources {
  splits: DatasetSplits;
  store: ArtifactStore;
}

/** The uploaded PNG at `index`, decoded to rows x cols grey; a missing or unreadable one names `images[index]`. */
async function uploadedItem(job: CamJob, store: ArtifactStore, index: number, rows: number, cols: number) {
  try {
    const png = await store.get(camBatchUploadKey(job.batchId, index));
    return { image: greyDigitFromPng(png, rows, cols), index };
  } catch (err) {
    if (err instanceof UploadedImageError) throw new BadCamInputError(`images[${index}]: ${err.message}`);
    if (err instanceof ArtifactNotFoundError)
      throw new BadCamInputError(`images[${index}]: the uploaded PNG is no longer in the artifact store`);
    throw err;
  }
}

/** The job's images: dataset samples (split + indices, with labels) or uploaded PNGs (index = position). */
export async function camInputItems(
  job: CamJob,
  { splits, store }: CamInputSources,
  rows = 28,
  cols = 28,
): Promise<InputItem[]> {
  if (job.uploads !== undefined) {
    const items: InputItem[] = [];
    for (let i = 0; i < job.uploads; i++) items.push(await uploadedItem(job, store, i, rows, cols));
    return items;
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

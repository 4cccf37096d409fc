import { type ImageSet, loadDataset, splitValidation, takeFirst } from '@cam/dataset';
import type { ResolvedTrainOptions } from './options.js';

export interface TrainingSets {
  train: ImageSet;
  /** Null when validationSplit is 0. */
  validation: ImageSet | null;
  test: ImageSet;
}

/** The run's sets: the first trainSize training images split into train and validation, and the first testSize test images. */
export async function loadTrainingSets(
  r: Pick<ResolvedTrainOptions, 'dataset' | 'datasetDir' | 'trainSize' | 'testSize' | 'validationSplit'>,
): Promise<TrainingSets> {
  const fullTrain = await loadDataset({ dataset: r.dataset, split: 'train', dir: r.datasetDir });
  const fullTest = await loadDataset({ dataset: r.dataset, split: 'test', dir: r.datasetDir });
  const pool =
    r.trainSize === undefined ? fullTrain : takeFirst(fullTrain, Math.min(r.trainSize, fullTrain.count));
  const test =
    r.testSize === undefined ? fullTest : takeFirst(fullTest, Math.min(r.testSize, fullTest.count));
  if (r.validationSplit === 0) return { train: pool, validation: null, test };
  const { train, validation } = splitValidation(pool, { fraction: r.validationSplit });
  return { train, validation, test };
}

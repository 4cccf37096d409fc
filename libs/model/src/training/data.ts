import { type ImageSet, loadDataset, splitValidation, takeFirst, translatedSet } from '@cam/dataset';
import type { ResolvedTrainOptions } from './options.js';

export interface TrainingSets {
  train: ImageSet;
  /** Null when validationSplit is 0. */
  validation: ImageSet | null;
  test: ImageSet;
}

/**
 * The run's sets: the first trainSize training images split into train and validation, and the first testSize
 * test images; with a canvas, each translated (positions seeded by the run's seed, another seed for the test set).
 */
export async function loadTrainingSets(
  r: Pick<
    ResolvedTrainOptions,
    'dataset' | 'datasetDir' | 'trainSize' | 'testSize' | 'validationSplit' | 'canvas' | 'seed'
  >,
): Promise<TrainingSets> {
  const fullTrain = await loadDataset({ dataset: r.dataset, split: 'train', dir: r.datasetDir });
  const fullTest = await loadDataset({ dataset: r.dataset, split: 'test', dir: r.datasetDir });
  const translate = (set: ImageSet, seed: number) =>
    r.canvas === undefined ? set : translatedSet(set, { canvas: r.canvas, seed }).set;
  const pool = translate(
    r.trainSize === undefined ? fullTrain : takeFirst(fullTrain, Math.min(r.trainSize, fullTrain.count)),
    r.seed,
  );
  const test = translate(
    r.testSize === undefined ? fullTest : takeFirst(fullTest, Math.min(r.testSize, fullTest.count)),
    r.seed ^ 1, // another seed within the seed range
  );
  if (r.validationSplit === 0) return { train: pool, validation: null, test };
  const { train, validation } = splitValidation(pool, { fraction: r.validationSplit });
  return { train, validation, test };
}

/**
 * What is known of each named dataset without reading its files: split sizes, image shape and class
 * count. Free of tfjs and of the file system, so request validation (the API) can import it cheaply
 * as `@cam/dataset/catalog`.
 */
export const DATASET_CATALOG = {
  mnist: { train: 60_000, test: 10_000, rows: 28, cols: 28, channels: 1, classes: 10 },
  'fashion-mnist': { train: 60_000, test: 10_000, rows: 28, cols: 28, channels: 1, classes: 10 },
} as const;

export type CatalogedDataset = keyof typeof DATASET_CATALOG;
export type DatasetFacts = (typeof DATASET_CATALOG)[CatalogedDataset];

/** The named datasets, in catalog order. */
export const CATALOGED_DATASETS = Object.keys(DATASET_CATALOG) as [CatalogedDataset, ...CatalogedDataset[]];

/** A model input shape [rows, cols, channels] for the dataset's images. */
export function datasetInputShape(dataset: CatalogedDataset): [number, number, number] {
  const { rows, cols, channels } = DATASET_CATALOG[dataset];
  return [rows, cols, channels];
}

/** The most classes any named dataset has: class indices run from 0 to this minus one. */
export const MAX_CATALOG_CLASSES = Math.max(...Object.values(DATASET_CATALOG).map((d) => d.classes));

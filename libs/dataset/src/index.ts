export {
  type Box,
  type ImageSet,
  imageAt,
  imageSize,
  shuffledIndices,
  takeFirst,
  takeIndices,
  takeRange,
  takeStratified,
} from './image-set.js';
export {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  IdxFormatError,
  readIdxImages,
  readIdxLabels,
  readIdxPair,
  readMaybeGzipped,
} from './idx.js';
export {
  type DatasetName,
  DatasetNotFoundError,
  type LoadDatasetOptions,
  FASHION_MNIST_DIR_VARIABLE,
  type Split,
  datasetDir,
  datasetMissing,
  loadDataset,
} from './sources.js';
export { type ValidationSplitOptions, splitSizes, splitValidation } from './split.js';
export { type Batch, type BatchOptions, batchCount, batchTensors, batches, epochOrder } from './batches.js';
export { type TranslateOptions, type TranslatedSet, translatedSet } from './translate.js';
export { deriveSeed, mulberry32 } from './prng.js';
export {
  CATALOGED_DATASETS,
  type CatalogedDataset,
  DATASET_CATALOG,
  type DatasetFacts,
  MAX_CATALOG_CLASSES,
  datasetInputShape,
} from './catalog.js';

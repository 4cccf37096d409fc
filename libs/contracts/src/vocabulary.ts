import { CATALOGED_DATASETS, type CatalogedDataset, DATASET_CATALOG } from '@cam/dataset/catalog';

/**
 * The value lists that job payloads are validated against. @cam/cam owns the CAM methods and colour maps;
 * they are listed here so that the API validates requests without loading tfjs. The tests of @cam/queue
 * check that the library's registries and these lists agree.
 */
export const CAM_METHOD_NAMES = [
  'cam',
  'gradcam',
  'gradcampp',
  'hirescam',
  'scorecam',
  'xgradcam',
  'layercam',
  'eigencam',
  'ablationcam',
] as const;
export type CamMethodName = (typeof CAM_METHOD_NAMES)[number];

export const COLORMAP_NAMES = ['jet', 'turbo', 'viridis', 'inferno', 'gray'] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];

/** Datasets a job may name (a folder path is a CLI feature, never accepted from the network). */
export const DATASET_NAMES = CATALOGED_DATASETS;
export type DatasetName = CatalogedDataset;

/** Images per split of each dataset, so that sample indices can be range-checked at the edge. */
export const DATASET_SPLIT_SIZES: Record<DatasetName, { train: number; test: number }> = DATASET_CATALOG;

export const ARCH_PRESET_NAMES = ['c2', 'c3'] as const;
export const OPTIMIZER_NAMES = ['adam', 'sgd'] as const;

/**
 * The states the API reports for runs and CAM batches. 'stopped': a run its sweep's scheduler (ASHA) ended
 * early; it has its artifacts for the epoch it reached.
 */
export const JOB_STATES = ['queued', 'active', 'completed', 'stopped', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The states a job never leaves. */
export const FINISHED_JOB_STATES: readonly JobState[] = ['completed', 'stopped', 'failed', 'cancelled'];

export const isFinishedState = (state: JobState): boolean => FINISHED_JOB_STATES.includes(state);

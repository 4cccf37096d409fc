/**
 * The value lists that job payloads are validated against. @cam/cam owns the CAM methods and colour maps;
 * they are listed here so that the API validates requests without loading tfjs. The tests of @cam/queue
 * check that the library's registries and these lists agree.
 */
export const CAM_METHOD_NAMES = ['cam', 'gradcam', 'gradcampp', 'hirescam', 'scorecam'] as const;
export type CamMethodName = (typeof CAM_METHOD_NAMES)[number];

export const COLORMAP_NAMES = ['jet', 'turbo', 'viridis', 'inferno', 'gray'] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];

/** Datasets a job may name (a folder path is a CLI feature, never accepted from the network). */
export const DATASET_NAMES = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Images per split of each dataset, so that sample indices can be range-checked at the edge. */
export const DATASET_SPLIT_SIZES: Record<DatasetName, { train: number; test: number }> = {
  mnist: { train: 60_000, test: 10_000 },
  'fashion-mnist': { train: 60_000, test: 10_000 },
};

export const ARCH_PRESET_NAMES = ['c2', 'c3'] as const;
export const OPTIMIZER_NAMES = ['adam', 'sgd'] as const;

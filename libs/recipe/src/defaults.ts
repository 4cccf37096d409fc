/**
 * The one source of the training and rendering defaults: @cam/model's `train`, the `cam` command, the API's
 * request schemas and the workers all read these values.
 *
 * Why these: Adam at 2e-3 with batch 16 was the best of about 20 recipes tried on c3 for short runs (c3 has no
 * pooling and learns slowly; libs/model/README.md); larger batches train faster per image but need more epochs.
 * 20 % of the training images are held out for validation, as Keras's validation_split, so that sweeps can
 * rank runs and early stopping has a metric.
 */
export const TRAIN_DEFAULTS = {
  arch: 'c3',
  dataset: 'mnist',
  epochs: 2,
  batchSize: 16,
  learningRate: 2e-3,
  optimizer: 'adam',
  /** Used by SGD only. */
  momentum: 0.9,
  lrSchedule: 'constant',
  validationSplit: 0.2,
  seed: 1,
  threads: 1,
} as const;

/**
 * Image counts a sweep's runs take when the request names none (the CLI's default is the whole split): a
 * request without sizes should give a run of minutes, not hours.
 */
export const SWEEP_SIZE_DEFAULTS = {
  trainSize: 6000,
  testSize: 1000,
} as const;

/** CAM rendering: the seed notebook's choices (CAM of the predicted class, jet, heat at 0.8), 112 px overlays. */
export const RENDER_DEFAULTS = {
  method: 'cam',
  target: 'predicted',
  colormap: 'jet',
  size: 112,
  /** Weight of the heat map over the grey digit. */
  alpha: 0.8,
} as const;

/**
 * A CAM evaluation of a model on a dataset (the CLI's, the API's and @cam/cam's): `count` test digits, `steps`
 * per deletion/insertion curve, `sanityCount` digits for the randomisation checks, `canvas` px translated-MNIST
 * canvases for the pointing game (0 leaves them out).
 */
export const EVALUATION_DEFAULTS = {
  methods: ['cam', 'gradcam'],
  count: 100,
  steps: 16,
  seed: 1,
  sanityCount: 32,
  canvas: 64,
} as const;

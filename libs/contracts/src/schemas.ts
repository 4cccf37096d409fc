import { MAX_CATALOG_CLASSES } from '@cam/dataset/catalog';
import { z } from 'zod';
import {
  LR_SCHEDULE_FORMS,
  RENDER_DEFAULTS,
  SWEEP_SIZE_DEFAULTS,
  TRAIN_DEFAULTS,
  isLrSchedule,
} from '@cam/recipe';
import { LIMITS } from './limits.js';
import {
  ARCH_PRESET_NAMES,
  CAM_METHOD_NAMES,
  COLORMAP_NAMES,
  DATASET_NAMES,
  OPTIMIZER_NAMES,
} from './vocabulary.js';
import { ID_PATTERN } from './ids.js';
import { refineCustomArch, refineUploadedPng, refineValidationSet } from './library-rules.js';

/** The PNG signature as the 8 characters atob() decodes it to. */
const PNG_SIGNATURE = '\x89PNG\r\n\x1a\n';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** True when `text` is base64 whose decoded bytes start with the PNG signature (atob: Node and browsers). */
export function isPngBase64(text: string): boolean {
  return BASE64.test(text) && text.length >= 12 && atob(text.slice(0, 12)).startsWith(PNG_SIGNATURE);
}

export const IdSchema = z.string().regex(ID_PATTERN, 'must be an id such as r-0123456789ab');

export const ConvLayerSchema = z.strictObject({
  filters: z.int().min(1).max(LIMITS.maxFilters),
  kernelSize: z.int().min(1).max(LIMITS.maxKernelSize),
});

/** A preset name or a custom stack of conv layers (GAP + bias-free dense follow, as in @cam/model). */
export const ArchSchema = z.union([
  z.enum(ARCH_PRESET_NAMES),
  z
    .strictObject({
      name: z.string().min(1).max(64).optional(),
      convs: z.array(ConvLayerSchema).min(1).max(LIMITS.maxConvLayers),
    })
    .superRefine(refineCustomArch),
]);

/** The training parameters one run takes; each is also a parameter a sweep's grid may vary. */
const RUN_PARAM_FIELDS = {
  dataset: z.enum(DATASET_NAMES),
  arch: ArchSchema,
  trainSize: z.int().min(1).max(LIMITS.maxTrainSize),
  testSize: z.int().min(1).max(LIMITS.maxTestSize),
  epochs: z.int().min(1).max(LIMITS.maxEpochs),
  batchSize: z.int().min(1).max(LIMITS.maxBatchSize),
  learningRate: z.number().positive().max(10),
  optimizer: z.enum(OPTIMIZER_NAMES),
  momentum: z.number().min(0).lt(1),
  lrSchedule: z.string().refine(isLrSchedule, `must be ${LR_SCHEDULE_FORMS} (EVERY >= 1, FACTOR > 1)`),
  seed: z
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  validationSplit: z.number().min(0).max(0.5),
  patience: z.int().min(1).max(LIMITS.maxPatience),
  threads: z.int().min(1).max(LIMITS.maxThreads),
};
type RunParamFields = typeof RUN_PARAM_FIELDS;
export type RunParamName = keyof RunParamFields;

/** Parameters left out of a sweep request take these values (@cam/recipe's, the CLI's and the model's). */
export const RUN_PARAM_DEFAULTS = {
  dataset: TRAIN_DEFAULTS.dataset,
  arch: TRAIN_DEFAULTS.arch,
  trainSize: SWEEP_SIZE_DEFAULTS.trainSize,
  testSize: SWEEP_SIZE_DEFAULTS.testSize,
  epochs: TRAIN_DEFAULTS.epochs,
  batchSize: TRAIN_DEFAULTS.batchSize,
  learningRate: TRAIN_DEFAULTS.learningRate,
  optimizer: TRAIN_DEFAULTS.optimizer,
  momentum: TRAIN_DEFAULTS.momentum,
  lrSchedule: TRAIN_DEFAULTS.lrSchedule,
  seed: TRAIN_DEFAULTS.seed,
  validationSplit: TRAIN_DEFAULTS.validationSplit,
} as const;

const F = RUN_PARAM_FIELDS;
const D = RUN_PARAM_DEFAULTS;

/** One run's complete parameters (what a training job carries). */
const RunParamsObject = z.strictObject({
  dataset: F.dataset,
  arch: F.arch,
  trainSize: F.trainSize,
  testSize: F.testSize,
  epochs: F.epochs,
  batchSize: F.batchSize,
  learningRate: F.learningRate,
  optimizer: F.optimizer,
  momentum: F.momentum.optional(),
  /** Absent in jobs queued before the field existed: the model's default then applies. */
  lrSchedule: F.lrSchedule.optional(),
  seed: F.seed,
  validationSplit: F.validationSplit,
  patience: F.patience.optional(),
  /** Absent: the trainer's TRAIN_THREADS, else 1. */
  threads: F.threads.optional(),
});
/** ... and the model library's rules across them (a run the trainer could never start is refused here). */
export const RunParamsSchema = RunParamsObject.superRefine(refineValidationSet);
export type RunParams = z.infer<typeof RunParamsSchema>;

function gridShape<S extends Record<string, z.ZodType>>(fields: S) {
  const entries = Object.entries(fields).map(([name, schema]) => [
    name,
    z.array(schema).min(1).max(LIMITS.maxGridValues).optional(),
  ]);
  return Object.fromEntries(entries) as { [K in keyof S]: z.ZodOptional<z.ZodArray<S[K]>> };
}

/** Parameter name -> the values to try; every combination is one run. */
export const GridSchema = z.strictObject(gridShape(RUN_PARAM_FIELDS));
export type Grid = z.infer<typeof GridSchema>;

/** How many runs a grid expands to (the product of its value counts; 1 for an empty grid). */
export function gridSize(grid: Grid): number {
  return Object.values(grid).reduce((n, values) => n * (values?.length ?? 1), 1);
}

const DistributionSchema = z.union([
  z.strictObject({ choice: z.array(z.unknown()).min(1).max(LIMITS.maxGridValues) }),
  z.strictObject({ uniform: z.tuple([z.number(), z.number()]) }),
  z.strictObject({ loguniform: z.tuple([z.number(), z.number()]) }),
  z.strictObject({ randint: z.tuple([z.int(), z.int()]) }),
  z.strictObject({ quniform: z.tuple([z.number(), z.number(), z.number()]) }),
  z.strictObject({ qloguniform: z.tuple([z.number(), z.number(), z.number()]) }),
  z.strictObject({ qrandint: z.tuple([z.int(), z.int(), z.int()]) }),
]);

/** Parameter name -> distribution (@cam/recipe's forms, Ray Tune's meanings); random search samples it. */
export const SpaceSchema = z.strictObject(
  Object.fromEntries(Object.keys(RUN_PARAM_FIELDS).map((name) => [name, DistributionSchema.optional()])) as {
    [K in RunParamName]: z.ZodOptional<typeof DistributionSchema>;
  },
);
export type SearchSpace = z.infer<typeof SpaceSchema>;

/** grid: every grid combination once. random: `samples` draws from the space per grid combination. */
export const SearchSchema = z.strictObject({
  algorithm: z.enum(['grid', 'random']),
  samples: z.int().min(1).max(LIMITS.maxSweepRuns).default(1),
  seed: F.seed.default(0),
});
export type Search = z.infer<typeof SearchSchema>;

/** Per-epoch values a scheduler may judge runs by (an epoch record's loss, accuracy, valLoss, valAccuracy). */
export const SCHEDULER_METRICS = [
  'validationAccuracy',
  'validationLoss',
  'trainAccuracy',
  'trainLoss',
] as const;
export type SchedulerMetric = (typeof SCHEDULER_METRICS)[number];

/** ASHA early stopping (@cam/recipe's rule; decisions recorded in Redis by libs/queue's RungStore). */
export const SchedulerSchema = z
  .strictObject({
    type: z.literal('asha'),
    metric: z.enum(SCHEDULER_METRICS).default('validationAccuracy'),
    /** Default: max for accuracies, min for losses. */
    mode: z.enum(['max', 'min']).optional(),
    gracePeriod: z.int().min(1).max(LIMITS.maxEpochs).default(1),
    reductionFactor: z.int().min(2).max(LIMITS.maxReductionFactor).default(3),
  })
  .transform((s) => ({ ...s, mode: s.mode ?? (s.metric.endsWith('Loss') ? 'min' : 'max') }));
export type Scheduler = z.infer<typeof SchedulerSchema>;

/**
 * A sweep request's fields and their own checks; SweepRequestSchema (sweep-plan.ts) adds the checks that need
 * the expanded runs.
 */
export const SweepRequestFieldsSchema = z.strictObject({
  name: z.string().min(1).max(100),
  dataset: F.dataset.default(D.dataset),
  arch: F.arch.default(D.arch),
  trainSize: F.trainSize.default(D.trainSize),
  testSize: F.testSize.default(D.testSize),
  epochs: F.epochs.default(D.epochs),
  batchSize: F.batchSize.default(D.batchSize),
  learningRate: F.learningRate.default(D.learningRate),
  optimizer: F.optimizer.default(D.optimizer),
  momentum: F.momentum.default(D.momentum),
  lrSchedule: F.lrSchedule.default(D.lrSchedule),
  seed: F.seed.default(D.seed),
  validationSplit: F.validationSplit.default(D.validationSplit),
  patience: F.patience.optional(),
  threads: F.threads.optional(),
  grid: GridSchema.default({}),
  space: SpaceSchema.default({}),
  search: SearchSchema.optional(),
  scheduler: SchedulerSchema.optional(),
});
export type SweepRequest = z.infer<typeof SweepRequestFieldsSchema>;
/** A sweep request as a client writes it (defaults not yet applied). */
export type SweepRequestInput = z.input<typeof SweepRequestFieldsSchema>;

export const TrainingJobSchema = z.strictObject({
  runId: IdSchema,
  sweepId: IdSchema,
  params: RunParamsSchema,
  /** The sweep's scheduler, asked after every epoch. */
  scheduler: SchedulerSchema.optional(),
});
export type TrainingJob = z.infer<typeof TrainingJobSchema>;

/** Progress a trainer reports (TrainProgress of @cam/model). */
export const TrainProgressSchema = z.strictObject({
  epoch: z.number(),
  epochs: z.number(),
  step: z.number(),
  steps: z.number(),
  loss: z.number(),
  accuracy: z.number(),
  imagesPerSecond: z.number(),
  etaSeconds: z.number(),
});
export type TrainProgress = z.infer<typeof TrainProgressSchema>;

/** One finished epoch (EpochRecord of @cam/model): what the registry keeps as a run's history. */
export const EpochRecordSchema = z.strictObject({
  epoch: z.int().min(1),
  loss: z.number(),
  accuracy: z.number(),
  valLoss: z.number().optional(),
  valAccuracy: z.number().optional(),
  learningRate: z.number(),
  seconds: z.number(),
});
export type EpochRecord = z.infer<typeof EpochRecordSchema>;

/** What a training job returns: a summary of the run's metrics.json and the artifact file names. */
export const TrainingJobResultSchema = z.strictObject({
  runId: IdSchema,
  metrics: z.strictObject({
    trainAccuracy: z.number(),
    /** Validation accuracy of the kept weights; null when validationSplit is 0. */
    validationAccuracy: z.number().nullable(),
    testAccuracy: z.number(),
    epochsRun: z.int(),
    wallSeconds: z.number(),
  }),
  /** File names inside ARTIFACTS_DIR/runs/<runId>/ (no checkpoint files). */
  artifacts: z.array(z.string()),
});
export type TrainingJobResult = z.infer<typeof TrainingJobResultSchema>;

const PngBase64Schema = z
  .string()
  .max(LIMITS.maxImageBase64Length)
  .refine(isPngBase64, { message: 'must be a base64-encoded PNG', abort: true })
  .superRefine(refineUploadedPng);

/** A model layer's name as tfjs writes it (the render worker checks that it names one of the run's convs). */
export const LayerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a layer name such as conv_3 (letters, digits, _ . -)');

/** A CAM batch request's fields but its uploaded images (which the API keeps in the artifact store). */
const StoredCamBatchFields = {
  runId: IdSchema,
  split: z.enum(['train', 'test']).optional(),
  indices: z.array(z.int().min(0)).min(1).max(LIMITS.maxCamItems).optional(),
  method: z.enum(CAM_METHOD_NAMES).default(RENDER_DEFAULTS.method),
  /** The conv layer the method reads (e.g. 'conv_3'); the last conv when absent. 'cam' needs the last. */
  layer: LayerNameSchema.optional(),
  /** The class each map explains: the predicted class, the true label (dataset samples only), or a class index. */
  target: z
    .union([
      z.enum(['predicted', 'label']),
      z
        .int()
        .min(0)
        .max(MAX_CATALOG_CLASSES - 1),
    ])
    .default(RENDER_DEFAULTS.target),
  colormap: z.enum(COLORMAP_NAMES).default(RENDER_DEFAULTS.colormap),
  /** Side in pixels of each rendered overlay. */
  size: z.int().min(LIMITS.minCamSize).max(LIMITS.maxCamSize).default(RENDER_DEFAULTS.size),
  /** Opacity of the heat map over the digit. */
  alpha: z.number().min(0).max(1).default(RENDER_DEFAULTS.alpha),
};

/** Exactly one source of images: dataset samples (split + indices) or uploaded PNGs (in a request or a job). */
function checkCamSource(
  batch: { split?: string; indices?: number[]; images?: string[]; uploads?: number; target: unknown },
  ctx: z.RefinementCtx,
): void {
  const hasIndices = batch.indices !== undefined;
  const hasImages = batch.images !== undefined || batch.uploads !== undefined;
  if (hasIndices === hasImages) {
    ctx.addIssue({ code: 'custom', path: ['indices'], message: 'give either split and indices, or images' });
  }
  if (hasImages && batch.split !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['split'], message: 'split applies only to indices' });
  }
  if (hasImages && batch.target === 'label') {
    ctx.addIssue({ code: 'custom', path: ['target'], message: "'label' needs dataset samples (indices)" });
  }
}

export const CamBatchRequestSchema = z
  .strictObject({
    ...StoredCamBatchFields,
    images: z.array(PngBase64Schema).min(1).max(LIMITS.maxCamItems).optional(),
  })
  .superRefine(checkCamSource);
export type CamBatchRequest = z.infer<typeof CamBatchRequestSchema>;
export type CamBatchRequestInput = z.input<typeof CamBatchRequestSchema>;

/** A CAM batch request without its uploaded images: what the registry keeps of it. */
export const StoredCamBatchRequestSchema = z.object(StoredCamBatchFields);
export type StoredCamBatchRequest = z.infer<typeof StoredCamBatchRequestSchema>;

/**
 * A render job: the request's settings (split defaulted to 'test' for indices), the batch id and the run's
 * dataset. Uploaded PNGs travel in the artifact store (camBatchUploadKey), not in the job: `uploads` counts them.
 */
export const CamJobSchema = z
  .strictObject({
    ...StoredCamBatchFields,
    uploads: z.int().min(1).max(LIMITS.maxCamItems).optional(),
    batchId: IdSchema,
    dataset: F.dataset,
  })
  .superRefine(checkCamSource);
export type CamJob = z.infer<typeof CamJobSchema>;

/** What a render job returns; file names are relative to ARTIFACTS_DIR/cam-batches/<batchId>/. */
export const CamJobResultSchema = z.strictObject({
  batchId: IdSchema,
  items: z.array(
    z.strictObject({
      index: z.int(),
      label: z.int().nullable(),
      predicted: z.int(),
      target: z.int(),
      /** Softmax over the classes (absent in results of renderers older than this field). */
      probabilities: z.array(z.number()).optional(),
      file: z.string(),
    }),
  ),
  montage: z.string(),
  npy: z.string(),
});
export type CamJobResult = z.infer<typeof CamJobResultSchema>;

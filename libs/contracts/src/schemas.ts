import { MAX_CATALOG_CLASSES } from '@cam/dataset/catalog';
import { z } from 'zod';
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

/** Parameters left out of a sweep request take these values. */
export const RUN_PARAM_DEFAULTS = {
  dataset: 'mnist',
  arch: 'c3',
  trainSize: 6000,
  testSize: 1000,
  epochs: 2,
  batchSize: 128,
  learningRate: 0.001,
  optimizer: 'adam',
  seed: 1,
  validationSplit: 0.2,
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
  seed: F.seed,
  validationSplit: F.validationSplit,
  patience: F.patience.optional(),
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

export const SweepRequestSchema = z
  .strictObject({
    name: z.string().min(1).max(100),
    dataset: F.dataset.default(D.dataset),
    arch: F.arch.default(D.arch),
    trainSize: F.trainSize.default(D.trainSize),
    testSize: F.testSize.default(D.testSize),
    epochs: F.epochs.default(D.epochs),
    batchSize: F.batchSize.default(D.batchSize),
    learningRate: F.learningRate.default(D.learningRate),
    optimizer: F.optimizer.default(D.optimizer),
    momentum: F.momentum.optional(),
    seed: F.seed.default(D.seed),
    validationSplit: F.validationSplit.default(D.validationSplit),
    patience: F.patience.optional(),
    threads: F.threads.optional(),
    grid: GridSchema.default({}),
  })
  .superRefine((sweep, ctx) => {
    const runs = gridSize(sweep.grid);
    if (runs > LIMITS.maxSweepRuns) {
      ctx.addIssue({
        code: 'custom',
        path: ['grid'],
        message: `expands to ${runs} runs; at most ${LIMITS.maxSweepRuns} are allowed`,
      });
    }
  });
export type SweepRequest = z.infer<typeof SweepRequestSchema>;
/** A sweep request as a client writes it (defaults not yet applied). */
export type SweepRequestInput = z.input<typeof SweepRequestSchema>;

export const TrainingJobSchema = z.strictObject({
  runId: IdSchema,
  sweepId: IdSchema,
  params: RunParamsSchema,
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

const CamBatchFields = {
  runId: IdSchema,
  split: z.enum(['train', 'test']).optional(),
  indices: z.array(z.int().min(0)).min(1).max(LIMITS.maxCamItems).optional(),
  images: z.array(PngBase64Schema).min(1).max(LIMITS.maxCamItems).optional(),
  method: z.enum(CAM_METHOD_NAMES).default('cam'),
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
    .default('predicted'),
  colormap: z.enum(COLORMAP_NAMES).default('jet'),
  /** Side in pixels of each rendered overlay. */
  size: z.int().min(LIMITS.minCamSize).max(LIMITS.maxCamSize).default(112),
  /** Opacity of the heat map over the digit. */
  alpha: z.number().min(0).max(1).default(0.5),
};

/** Exactly one source of images: dataset samples (split + indices) or uploaded PNGs. */
function checkCamSource(
  batch: { split?: string; indices?: number[]; images?: string[]; target: unknown },
  ctx: z.RefinementCtx,
): void {
  const hasIndices = batch.indices !== undefined;
  const hasImages = batch.images !== undefined;
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

export const CamBatchRequestSchema = z.strictObject(CamBatchFields).superRefine(checkCamSource);
export type CamBatchRequest = z.infer<typeof CamBatchRequestSchema>;
export type CamBatchRequestInput = z.input<typeof CamBatchRequestSchema>;

/** A render job: the request (split defaulted to 'test' for indices) plus the batch id and the run's dataset. */
export const CamJobSchema = z
  .strictObject({ ...CamBatchFields, batchId: IdSchema, dataset: F.dataset })
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

import { EVALUATION_DEFAULTS } from '@cam/recipe';
import { z } from 'zod';
import { LIMITS } from './limits.js';
import { IdSchema, LayerNameSchema } from './schemas.js';
import { CAM_METHOD_NAMES, DATASET_NAMES } from './vocabulary.js';

const D = EVALUATION_DEFAULTS;

const CamEvaluationFields = {
  runId: IdSchema,
  /** Methods to compare; the random-map and centred-blob baselines are always added. */
  methods: z
    .array(z.enum(CAM_METHOD_NAMES))
    .min(1)
    .max(CAM_METHOD_NAMES.length)
    .refine((m) => new Set(m).size === m.length, 'must not repeat a method')
    .default([...D.methods]),
  /** The conv layer the methods read; the last conv when absent ('cam' needs the last). */
  layer: LayerNameSchema.optional(),
  /** The first `count` test digits of the run's dataset. */
  count: z.int().min(1).max(LIMITS.maxEvaluationCount).default(D.count),
  /** Deletion / insertion steps. */
  steps: z.int().min(1).max(LIMITS.maxEvaluationSteps).default(D.steps),
  seed: z
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(D.seed),
  /** Digits mapped on every randomised model of the sanity check. */
  sanityCount: z.int().min(1).max(LIMITS.maxSanityCount).default(D.sanityCount),
  /** Side of the translated-MNIST canvases (pointing game, localization); 0 leaves them out. */
  canvas: z
    .int()
    .max(LIMITS.maxEvaluationCanvas)
    .refine((c) => c === 0 || c >= 28, 'must be 0 or at least 28 (the digits are 28x28)')
    .default(D.canvas),
};

export const CamEvaluationRequestSchema = z.strictObject(CamEvaluationFields);
export type CamEvaluationRequest = z.infer<typeof CamEvaluationRequestSchema>;
export type CamEvaluationRequestInput = z.input<typeof CamEvaluationRequestSchema>;

/** An evaluation job: the request plus its id and the run's dataset. */
export const CamEvaluationJobSchema = z.strictObject({
  ...CamEvaluationFields,
  evaluationId: IdSchema,
  dataset: z.enum(DATASET_NAMES),
});
export type CamEvaluationJob = z.infer<typeof CamEvaluationJobSchema>;

/** One method or baseline on every metric (means over the digits); see @cam/cam's EvaluationRow. */
export const CamEvaluationRowSchema = z.strictObject({
  name: z.string(),
  baseline: z.boolean(),
  deletionAuc: z.number(),
  insertionAuc: z.number(),
  averageDrop: z.number(),
  increaseInConfidence: z.number(),
  road: z.number(),
  pointingGame: z.number().nullable(),
  localizationAccuracy: z.number().nullable(),
  sanity: z.strictObject({
    steps: z.array(z.strictObject({ layer: z.string(), rho: z.number() })),
    final: z.number(),
    flagged: z.boolean(),
  }),
  seconds: z.number(),
});

/** What an evaluation job returns; files are relative to ARTIFACTS_DIR/cam-evaluations/<evaluationId>/. */
export const CamEvaluationResultSchema = z.strictObject({
  evaluationId: IdSchema,
  count: z.int(),
  /** Share of the digits the model classifies correctly. */
  accuracy: z.number().nullable(),
  layer: z.string(),
  rows: z.array(CamEvaluationRowSchema),
  files: z.array(z.string()),
});
export type CamEvaluationResult = z.infer<typeof CamEvaluationResultSchema>;

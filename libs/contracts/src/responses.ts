import { z } from 'zod';
import {
  CamJobResultSchema,
  IdSchema,
  RunParamsSchema,
  TrainProgressSchema,
  TrainingJobResultSchema,
  EpochRecordSchema,
} from './schemas.js';
import { CamEvaluationRequestSchema, CamEvaluationResultSchema } from './evaluation-schemas.js';
import { SweepRequestSchema } from './sweep-plan.js';
import { CAM_METHOD_NAMES, COLORMAP_NAMES, JOB_STATES, type JobState } from './vocabulary.js';

/** Response bodies: the API's handlers build values of these types and its OpenAPI document is generated from them. */
export const ErrorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }),
});

export const JobStateSchema = z.enum(JOB_STATES);

/** How many runs are in each state (every state named, 0 when none). */
export const StateCountsSchema = z.strictObject(
  Object.fromEntries(JOB_STATES.map((state) => [state, z.int().min(0)])) as Record<JobState, z.ZodInt>,
);
export type StateCounts = z.infer<typeof StateCountsSchema>;

/** The completed or stopped run with the highest validation accuracy. */
const BestRunSchema = z.object({ id: IdSchema, validationAccuracy: z.number() }).nullable();

export const SweepCreatedSchema = z.object({
  id: IdSchema,
  runs: z.array(z.object({ id: IdSchema, params: RunParamsSchema })),
});

export const SweepListSchema = z.object({
  sweeps: z.array(
    z.object({
      id: IdSchema,
      name: z.string(),
      createdAt: z.string(),
      runIds: z.array(IdSchema),
      states: StateCountsSchema,
      best: BestRunSchema,
    }),
  ),
  total: z.int(),
});

/** One run's arrival at a scheduler rung: its value (null stands for NaN), the cutoff it met, the decision. */
export const RungEntrySchema = z.strictObject({
  runId: z.string(),
  value: z.number().nullable(),
  cutoff: z.number().nullable(),
  action: z.enum(['continue', 'stop']),
  /** 0 for the first run recorded at the rung. */
  order: z.int(),
});
export type RungEntry = z.infer<typeof RungEntrySchema>;

/** Every finished epoch of a run, in order (learning curves). */
const HistorySchema = z.array(EpochRecordSchema);

export const RunSummarySchema = z.object({
  id: IdSchema,
  state: JobStateSchema,
  params: RunParamsSchema,
  progress: TrainProgressSchema.nullable(),
  history: HistorySchema,
  /** The epoch at which the scheduler stopped the run (state 'stopped'); null otherwise. */
  stoppedAtEpoch: z.int().nullable(),
  /** The training job's metrics summary once completed. */
  summary: TrainingJobResultSchema.shape.metrics.nullable(),
  /** Why the run failed, null unless it failed. */
  failure: z.string().nullable(),
});

export const SweepSchema = z.object({
  id: IdSchema,
  name: z.string(),
  createdAt: z.string(),
  request: SweepRequestSchema,
  states: StateCountsSchema,
  runs: z.array(RunSummarySchema),
  /**
   * The scheduler's rungs (null without a scheduler): at each rung epoch, every run's arrival in order with
   * its value, the cutoff it met and the decision, and the cutoff a run arriving now would meet.
   */
  rungs: z
    .array(z.object({ epoch: z.int(), cutoff: z.number().nullable(), entries: z.array(RungEntrySchema) }))
    .nullable(),
  best: BestRunSchema,
});

/** One epoch of a run's history (EpochRecord of @cam/model); the val* fields are absent without validation. */

/** The fields of a run's metrics.json (RunMetrics of @cam/model) that clients read; the file holds more. */
export const RunMetricsSchema = z.looseObject({
  epochsRun: z.int(),
  trainAccuracy: z.number(),
  validationAccuracy: z.number().nullable(),
  testAccuracy: z.number(),
  testLoss: z.number(),
  wallSeconds: z.number(),
  history: z.array(EpochRecordSchema),
});
export type RunMetrics = z.infer<typeof RunMetricsSchema>;

export const RunSchema = z.object({
  id: IdSchema,
  sweepId: IdSchema,
  state: JobStateSchema,
  params: RunParamsSchema,
  progress: TrainProgressSchema.nullable(),
  history: HistorySchema,
  stoppedAtEpoch: z.int().nullable(),
  /** The run's metrics.json once written. */
  metrics: RunMetricsSchema.nullable(),
  /** File names served by GET /v1/runs/{id}/artifacts/{name}. */
  artifacts: z.array(z.string()),
  /** Why the run failed, null unless it failed. */
  failure: z.string().nullable(),
});

/** The data of the events stream's `state`, `progress` and `epoch` events. */
export const RunEventSchema = z.object({
  state: JobStateSchema,
  progress: TrainProgressSchema.nullable(),
  epoch: EpochRecordSchema,
});

export const SweepRetriedSchema = z.object({
  id: IdSchema,
  /** The failed and cancelled runs queued again (each resumes from its checkpoint when it has one). */
  retried: z.array(IdSchema),
  /** Failed or cancelled runs still held by a trainer (their cancellation is in progress): retry them later. */
  busy: z.array(IdSchema),
});

export const CamBatchCreatedSchema = z.object({ id: IdSchema });

const CamItemSchema = CamJobResultSchema.shape.items.element;

export const CamBatchSettingsSchema = z.object({
  method: z.enum(CAM_METHOD_NAMES),
  target: z.union([z.enum(['predicted', 'label']), z.int()]),
  colormap: z.enum(COLORMAP_NAMES),
  size: z.int(),
  alpha: z.number(),
  /** Dataset samples: the split and indices; null for uploaded images. */
  split: z.enum(['train', 'test']).nullable(),
  indices: z.array(z.int()).nullable(),
});
export type CamBatchSettings = z.infer<typeof CamBatchSettingsSchema>;

export const CamBatchSchema = z.object({
  id: IdSchema,
  runId: IdSchema,
  state: JobStateSchema,
  /** How the maps were asked for (the request without its uploaded images). */
  settings: CamBatchSettingsSchema,
  items: z.array(CamItemSchema.omit({ file: true }).extend({ png: z.string() })),
  montage: z.string().nullable(),
  npy: z.string().nullable(),
  /** Why the batch failed, null unless it failed. */
  failure: z.string().nullable(),
});

export type SweepCreated = z.infer<typeof SweepCreatedSchema>;
export type SweepList = z.infer<typeof SweepListSchema>;
export type RunSummary = z.infer<typeof RunSummarySchema>;
export type SweepView = z.infer<typeof SweepSchema>;
export type RunView = z.infer<typeof RunSchema>;
export type CamBatchView = z.infer<typeof CamBatchSchema>;
export type CamBatchCreated = z.infer<typeof CamBatchCreatedSchema>;
export type RunEvent = z.infer<typeof RunEventSchema>;
export type SweepRetried = z.infer<typeof SweepRetriedSchema>;

/** Fraction of a run's training done, from its progress (0 before the first report). */
export function runFraction(run: Pick<RunSummary, 'state' | 'progress'>): number {
  if (run.state === 'completed' || run.state === 'stopped') return 1;
  const p = run.progress;
  if (!p || p.epochs === 0 || p.steps === 0) return 0;
  return Math.min(1, (p.epoch - 1 + p.step / p.steps) / p.epochs);
}

export const CamEvaluationCreatedSchema = z.object({ id: IdSchema });

export const CamEvaluationSchema = z.object({
  id: IdSchema,
  runId: IdSchema,
  request: CamEvaluationRequestSchema,
  state: JobStateSchema,
  /** Why the evaluation failed (e.g. a layer the model lacks); null otherwise. */
  error: z.string().nullable(),
  /** Once completed: every method and baseline on every metric, and URLs of evaluation.json, the table and curves.png. */
  result: z
    .object({
      count: z.int(),
      accuracy: z.number().nullable(),
      layer: z.string(),
      rows: CamEvaluationResultSchema.shape.rows,
      files: z.record(z.string(), z.string()),
    })
    .nullable(),
});

export type CamEvaluationView = z.infer<typeof CamEvaluationSchema>;

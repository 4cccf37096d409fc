import { z } from 'zod';
import {
  CamJobResultSchema,
  EpochRecordSchema,
  IdSchema,
  RungEntrySchema,
  RunParamsSchema,
  SweepRequestSchema,
  TrainProgressSchema,
  TrainingJobResultSchema,
} from '@cam/queue';
import { JOB_STATES } from './services/job-state.js';

/** Response bodies: the handlers build values of these types and the OpenAPI document is generated from them. */
export const ErrorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }),
});

const JobStateSchema = z.enum(JOB_STATES);

export const SweepCreatedSchema = z.object({
  id: IdSchema,
  runs: z.array(z.object({ id: IdSchema, params: RunParamsSchema })),
});

export const SweepListSchema = z.object({
  sweeps: z.array(
    z.object({ id: IdSchema, name: z.string(), createdAt: z.string(), runIds: z.array(IdSchema) }),
  ),
  total: z.int(),
});

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
});

export const SweepSchema = z.object({
  id: IdSchema,
  name: z.string(),
  createdAt: z.string(),
  request: SweepRequestSchema,
  states: z.record(JobStateSchema, z.int()),
  runs: z.array(RunSummarySchema),
  /**
   * The scheduler's rungs (null without a scheduler): at each rung epoch, every run's arrival in order with
   * its value, the cutoff it met and the decision, and the cutoff a run arriving now would meet.
   */
  rungs: z
    .array(
      z.object({
        epoch: z.int(),
        cutoff: z.number().nullable(),
        entries: z.array(RungEntrySchema),
      }),
    )
    .nullable(),
  /** The completed or stopped run with the highest validation accuracy. */
  best: z.object({ id: IdSchema, validationAccuracy: z.number() }).nullable(),
});

export const RunSchema = z.object({
  id: IdSchema,
  sweepId: IdSchema,
  state: JobStateSchema,
  params: RunParamsSchema,
  progress: TrainProgressSchema.nullable(),
  history: HistorySchema,
  stoppedAtEpoch: z.int().nullable(),
  /** The run's metrics.json once written. */
  metrics: z.unknown(),
  /** File names served by GET /v1/runs/{id}/artifacts/{name}. */
  artifacts: z.array(z.string()),
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

export const CamBatchSchema = z.object({
  id: IdSchema,
  runId: IdSchema,
  state: JobStateSchema,
  items: z.array(CamItemSchema.omit({ file: true }).extend({ png: z.string() })),
  montage: z.string().nullable(),
  npy: z.string().nullable(),
});

export type SweepCreated = z.infer<typeof SweepCreatedSchema>;
export type SweepList = z.infer<typeof SweepListSchema>;
export type RunSummary = z.infer<typeof RunSummarySchema>;
export type SweepView = z.infer<typeof SweepSchema>;
export type RunView = z.infer<typeof RunSchema>;
export type SweepRetried = z.infer<typeof SweepRetriedSchema>;
export type CamBatchView = z.infer<typeof CamBatchSchema>;

import { z } from 'zod';
import {
  CamJobResultSchema,
  IdSchema,
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

export const RunSummarySchema = z.object({
  id: IdSchema,
  state: JobStateSchema,
  params: RunParamsSchema,
  progress: TrainProgressSchema.nullable(),
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
  states: z.record(JobStateSchema, z.int()),
  runs: z.array(RunSummarySchema),
  /** The completed run with the highest validation accuracy. */
  best: z.object({ id: IdSchema, validationAccuracy: z.number() }).nullable(),
});

export const RunSchema = z.object({
  id: IdSchema,
  sweepId: IdSchema,
  state: JobStateSchema,
  params: RunParamsSchema,
  progress: TrainProgressSchema.nullable(),
  /** The run's metrics.json once written. */
  metrics: z.unknown(),
  /** File names served by GET /v1/runs/{id}/artifacts/{name}. */
  artifacts: z.array(z.string()),
  /** Why the run failed, null unless it failed. */
  failure: z.string().nullable(),
});

export const RunEventSchema = z.object({ state: JobStateSchema, progress: TrainProgressSchema.nullable() });

export const CamBatchCreatedSchema = z.object({ id: IdSchema });

const CamItemSchema = CamJobResultSchema.shape.items.element;

export const CamBatchSchema = z.object({
  id: IdSchema,
  runId: IdSchema,
  state: JobStateSchema,
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

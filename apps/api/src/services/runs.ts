import {
  TrainingJobResultSchema,
  runArtifactsPrefix,
  type RunStatus,
  type TrainingJobResult,
} from '@cam/queue';
import type { ApiDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { RunMetricsSchema, type JobState, type RunMetrics } from '@cam/contracts';
import { toJobState } from './job-state.js';

export interface RunSnapshot {
  run: RunStatus;
  state: JobState;
  /** The training job's return value once it completed (null before, or after the job was removed). */
  result: TrainingJobResult | null;
  /** Why the run failed (the failed job's reason), null unless it failed. */
  failure: string | null;
}

const metricsKey = (runId: string) => `${runArtifactsPrefix(runId)}/metrics.json`;

/** A run's record, latest progress, state and result, read from the registry and its BullMQ job. */
export async function snapshotRun(deps: ApiDeps, run: RunStatus): Promise<RunSnapshot> {
  // The state first: a job read after it is at least as new, so a failed one carries its reason.
  const bullState = await deps.queues.training.getJobState(run.id);
  const job = await deps.queues.training.getJob(run.id);
  const stopped = run.stoppedAtEpoch !== null;
  if (job === undefined) {
    // The job is gone (retention expired): its metrics.json tells whether it had completed.
    const completed = await deps.store.exists(metricsKey(run.id));
    const state = toJobState(completed ? 'completed' : 'unknown', run.cancelled, stopped);
    return { run, state, result: null, failure: null };
  }
  const parsed = TrainingJobResultSchema.safeParse(job.returnvalue);
  return {
    run,
    state: toJobState(bullState, run.cancelled, stopped),
    result: bullState === 'completed' && parsed.success ? parsed.data : null,
    failure: bullState === 'failed' ? job.failedReason : null,
  };
}

/** The run named by a request that needs its model: 404 when unknown, 409 until it has completed. */
export async function completedRun(deps: ApiDeps, runId: string): Promise<RunStatus> {
  const run = await deps.registry.getRun(runId);
  if (run === null) throw notFound('run', runId);
  const { state } = await snapshotRun(deps, run);
  if (state !== 'completed' && state !== 'stopped') {
    throw new HttpError(409, 'run_not_completed', `run ${run.id} is ${state}, not completed or stopped`, {
      runId: run.id,
      state,
    });
  }
  return run;
}

/** The run's metrics.json (null until it exists) and its artifact file names (no checkpoint files). */
export async function runFiles(
  deps: ApiDeps,
  runId: string,
): Promise<{ metrics: RunMetrics | null; artifacts: string[] }> {
  const prefix = `${runArtifactsPrefix(runId)}/`;
  const artifacts = (await deps.store.list(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((name) => !name.includes('/'));
  const json = artifacts.includes('metrics.json') ? await readJson(deps, metricsKey(runId)) : null;
  const metrics = RunMetricsSchema.safeParse(json);
  return { metrics: metrics.success ? metrics.data : null, artifacts };
}

/** A JSON artifact, or null while it is still being written (not yet valid JSON). */
async function readJson(deps: ApiDeps, key: string): Promise<unknown> {
  try {
    return JSON.parse((await deps.store.get(key)).toString('utf8')) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

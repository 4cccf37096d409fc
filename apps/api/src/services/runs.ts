import {
  TrainingJobResultSchema,
  runArtifactsPrefix,
  type RunStatus,
  type TrainingJobResult,
} from '@cam/queue';
import type { ApiDeps } from '../deps.js';
import { toJobState, type JobState } from './job-state.js';

export interface RunSnapshot {
  run: RunStatus;
  state: JobState;
  /** The training job's return value once it completed (null before, or after the job was removed). */
  result: TrainingJobResult | null;
}

const metricsKey = (runId: string) => `${runArtifactsPrefix(runId)}/metrics.json`;

/** A run's record, latest progress, state and result, read from the registry and its BullMQ job. */
export async function snapshotRun(deps: ApiDeps, run: RunStatus): Promise<RunSnapshot> {
  const job = await deps.queues.training.getJob(run.id);
  const stopped = run.stoppedAtEpoch !== null;
  if (job === undefined) {
    // The job is gone (retention expired): its metrics.json tells whether it had completed.
    const completed = await deps.store.exists(metricsKey(run.id));
    const state = toJobState(completed ? 'completed' : 'unknown', run.cancelled, stopped);
    return { run, state, result: null };
  }
  const bullState = await job.getState();
  const parsed = TrainingJobResultSchema.safeParse(job.returnvalue);
  return {
    run,
    state: toJobState(bullState, run.cancelled, stopped),
    result: bullState === 'completed' && parsed.success ? parsed.data : null,
  };
}

/** The run's metrics.json (null until it exists) and its artifact file names (no checkpoint files). */
export async function runFiles(
  deps: ApiDeps,
  runId: string,
): Promise<{ metrics: unknown; artifacts: string[] }> {
  const prefix = `${runArtifactsPrefix(runId)}/`;
  const artifacts = (await deps.store.list(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((name) => !name.includes('/'));
  const metrics = artifacts.includes('metrics.json') ? await readJson(deps, metricsKey(runId)) : null;
  return { metrics, artifacts };
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

import {
  TrainingJobResultSchema,
  readJobSnapshots,
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
  return (await snapshotRuns(deps, [run]))[0]!;
}

/** {@link snapshotRun} for many runs, their jobs read in one round trip. */
export async function snapshotRuns(deps: ApiDeps, runs: readonly RunStatus[]): Promise<RunSnapshot[]> {
  const jobs = await readJobSnapshots(
    deps.redis,
    deps.queues.training,
    runs.map((run) => run.id),
  );
  return Promise.all(
    runs.map(async (run, i): Promise<RunSnapshot> => {
      const job = jobs[i]!;
      const stopped = run.stoppedAtEpoch !== null;
      if (job.state === 'unknown') {
        // The job is gone (retention expired): its metrics.json tells whether it had completed.
        const completed = await deps.store.exists(metricsKey(run.id));
        const state = toJobState(completed ? 'completed' : 'unknown', run.cancelled, stopped);
        return { run, state, result: null, failure: null };
      }
      const parsed = TrainingJobResultSchema.safeParse(job.returnvalue);
      return {
        run,
        state: toJobState(job.state, run.cancelled, stopped),
        result: job.state === 'completed' && parsed.success ? parsed.data : null,
        failure: job.state === 'failed' ? job.failedReason : null,
      };
    }),
  );
}

/** Every run of the sweep with its state, in the sweep's order; 404 names a run the registry has lost. */
export async function snapshotSweepRuns(deps: ApiDeps, runIds: readonly string[]): Promise<RunSnapshot[]> {
  const runs = await deps.registry.getRuns(runIds);
  const missing = runIds.find((_, i) => runs[i] === null);
  if (missing !== undefined) throw notFound('run', missing);
  return snapshotRuns(deps, runs as RunStatus[]);
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

import type { TrainOptions, TrainResult } from '@cam/model';
import { parseLrSchedule } from '@cam/recipe';
import {
  runArtifactsPrefix,
  TrainingJobSchema,
  type JobRegistry,
  type RunParams,
  type TrainingJob,
  type TrainingJobResult,
} from '@cam/queue';
import type { ArtifactStore } from '@cam/storage';
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { z } from 'zod';
import { ProgressReporter } from './progress.js';

/** @cam/model's `train`, or the same run in a worker thread (trainInThread). */
export type TrainFn = (opts: TrainOptions) => Promise<TrainResult>;

export interface TrainingProcessorDeps {
  train: TrainFn;
  registry: JobRegistry;
  /** Must have localPath: training writes a folder. */
  store: ArtifactStore;
  /** Aborted on SIGTERM: the running job is checkpointed and given back to the queue. */
  shutdown: AbortSignal;
  log: (line: string) => void;
  /** Least time between two step progress reports. @defaultValue 250 */
  progressIntervalMs?: number;
  /** Fields added to every TrainOptions (e.g. threads). @defaultValue {} */
  trainDefaults?: Partial<TrainOptions>;
}

/** The model library's options for one run's parameters (a custom arch gets MNIST's input shape and 10 classes). */
export function trainOptionsFor(params: RunParams, outDir: string): TrainOptions {
  const { arch, lrSchedule, ...rest } = params;
  const archSpec =
    typeof arch === 'string'
      ? arch
      : {
          name: arch.name ?? 'custom',
          inputShape: [28, 28, 1] as [number, number, number],
          convs: arch.convs,
          classes: 10,
        };
  return {
    ...rest,
    arch: archSpec,
    ...(lrSchedule === undefined ? {} : { lrSchedule: parseLrSchedule(lrSchedule) }),
    outDir,
  };
}

/** File names in the run folder (recursively, '/'-separated) except the checkpoint. */
async function runArtifacts(store: ArtifactStore, runId: string): Promise<string[]> {
  const prefix = `${runArtifactsPrefix(runId)}/`;
  return (await store.list(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((name) => !name.startsWith('checkpoint/'));
}

/**
 * The BullMQ processor of the `training` queue: trains one run into ARTIFACTS_DIR/runs/<runId> (resuming from
 * the folder's checkpoint when a crashed attempt left one), reports throttled progress to the job and the
 * registry, and returns the run's metrics summary. A cancelled run fails without retry; a job interrupted by
 * shutdown goes back to the front of the wait list without counting an attempt.
 */
export function trainingProcessor(deps: TrainingProcessorDeps) {
  const { registry, store, log } = deps;
  if (!store.localPath)
    throw new Error('the trainer needs an artifact store with local paths (a directory store)');
  const localPath = store.localPath.bind(store);

  /** `lockLost` is BullMQ's per-job signal: the worker aborts it when the job's lock could not be renewed. */
  return async (
    job: Job<TrainingJob, TrainingJobResult>,
    token?: string,
    lockLost?: AbortSignal,
  ): Promise<TrainingJobResult> => {
    const parsed = TrainingJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`job ${job.id} is not a training job: ${z.prettifyError(parsed.error)}`);
    }
    const { runId, params } = parsed.data;
    if (await registry.isCancelled(runId)) throw new UnrecoverableError(`run ${runId} was cancelled`);

    const outDir = localPath(runArtifactsPrefix(runId));
    const watch = registry.watchCancellation(runId);
    const signal = AbortSignal.any([deps.shutdown, watch.signal, ...(lockLost ? [lockLost] : [])]);
    const reporter = new ProgressReporter(
      (progress) => Promise.all([job.updateProgress(progress), registry.setProgress(runId, progress)]),
      {
        minIntervalMs: deps.progressIntervalMs,
        onError: (err) => log(`progress of ${runId} not sent: ${String(err)}`),
      },
    );
    log(
      `run ${runId}: training into ${outDir} (attempt ${job.attemptsMade + 1}, started ${job.attemptsStarted})`,
    );
    let result: TrainResult;
    try {
      result = await deps.train({
        ...deps.trainDefaults,
        ...trainOptionsFor(params, outDir),
        onProgress: reporter.report,
        signal,
        log: (line) => log(`run ${runId}: ${line}`),
      });
    } finally {
      watch.stop();
      await reporter.flush();
    }
    if (result.status === 'aborted') {
      if (watch.signal.aborted) throw new UnrecoverableError(`run ${runId} was cancelled`);
      // The job belongs to another trainer now (re-delivered as stalled): leave it alone.
      if (lockLost?.aborted)
        throw new Error(`run ${runId}: lock lost, stopped training (another attempt owns the job)`);
      // Shutdown: back to the front of the wait list, lock released, attemptsMade unchanged.
      await job.moveToWait(token);
      log(`run ${runId}: checkpointed after epoch ${result.epochsRun} and given back to the queue`);
      throw new WaitingError();
    }
    const metrics = result.metrics!;
    log(`run ${runId}: done, test accuracy ${metrics.testAccuracy.toFixed(4)}`);
    return {
      runId,
      metrics: {
        trainAccuracy: metrics.trainAccuracy,
        validationAccuracy: metrics.validationAccuracy,
        testAccuracy: metrics.testAccuracy,
        epochsRun: metrics.epochsRun,
        wallSeconds: metrics.wallSeconds,
      },
      artifacts: await runArtifacts(store, runId),
    };
  };
}

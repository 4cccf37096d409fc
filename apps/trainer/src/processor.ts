import type { EpochRecord, EpochVerdict, TrainOptions, TrainResult } from '@cam/model';
import { parseLrSchedule, rungEpochs } from '@cam/recipe';
import {
  runArtifactsPrefix,
  TrainingJobSchema,
  type JobRegistry,
  type RunParams,
  type Scheduler,
  type SchedulerMetric,
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

/** Sweep fields a run's scheduler reads from an epoch record. */
const METRIC_FIELDS: Record<SchedulerMetric, keyof EpochRecord> = {
  validationAccuracy: 'valAccuracy',
  validationLoss: 'valLoss',
  trainAccuracy: 'accuracy',
  trainLoss: 'loss',
};

interface EpochContext {
  registry: JobRegistry;
  runId: string;
  sweepId: string;
  params: RunParams;
  scheduler: Scheduler | undefined;
  log: (line: string) => void;
}

/**
 * After each epoch: the record goes into the registry's history; at a rung of the sweep's scheduler, the run
 * asks the rung store whether it goes on. A stopped run is marked so, and train() ends it with its artifacts.
 */
async function endOfEpoch(c: EpochContext, record: EpochRecord): Promise<EpochVerdict> {
  await c.registry.addEpoch(c.runId, record);
  if (c.scheduler === undefined || !rungEpochs(c.scheduler, c.params.epochs).includes(record.epoch))
    return 'continue';
  const value = Number(record[METRIC_FIELDS[c.scheduler.metric]] ?? Number.NaN);
  const entry = await c.registry.rungs.decide(c.sweepId, record.epoch, c.runId, value, c.scheduler);
  const cutoff = entry.cutoff === null ? 'none (first at the rung)' : entry.cutoff.toFixed(4);
  c.log(
    `run ${c.runId}: rung ${record.epoch}, ${c.scheduler.metric} ${value.toFixed(4)}, cutoff ${cutoff}: ${entry.action}`,
  );
  if (entry.action === 'stop') await c.registry.markStopped(c.runId, record.epoch);
  return entry.action;
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
    const { runId, sweepId, params, scheduler } = parsed.data;
    if (await registry.isCancelled(runId)) throw new UnrecoverableError(`run ${runId} was cancelled`);

    // Stopped by the scheduler before a crash that came after the epoch's checkpoint: finish at that epoch.
    const stoppedAt = (await registry.getRun(runId))?.stoppedAtEpoch ?? null;
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
        ...(stoppedAt === null ? {} : { epochs: stoppedAt }),
        onProgress: reporter.report,
        onEpochEnd: (record) => endOfEpoch({ registry, runId, sweepId, params, scheduler, log }, record),
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
    log(
      `run ${runId}: ${metrics.stoppedEarly ? `stopped after epoch ${metrics.epochsRun}` : 'done'}, test accuracy ${metrics.testAccuracy.toFixed(4)}`,
    );
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

import { join } from 'node:path';
import {
  ArchSpecError,
  TrainOptionsError,
  type EpochRecord,
  type EpochVerdict,
  type TrainOptions,
  type TrainResult,
} from '@cam/model';
import { parseLrSchedule, rungEpochs } from '@cam/recipe';
import {
  customArchSpec,
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
import { RunSync } from './run-sync.js';

/** @cam/model's `train`, or the same run in a worker thread (trainInThread). */
export type TrainFn = (opts: TrainOptions) => Promise<TrainResult>;

export interface TrainingProcessorDeps {
  train: TrainFn;
  registry: JobRegistry;
  /** Where checkpoints and finished runs go (and where a resumed run's checkpoint comes from). */
  store: ArtifactStore;
  /** A local folder of this process only: training writes run folders here, synced through the store. */
  scratchDir: string;
  /** Aborted on SIGTERM: the running job is checkpointed and given back to the queue. */
  shutdown: AbortSignal;
  log: (line: string) => void;
  /** Least time between two step progress reports. @defaultValue 250 */
  progressIntervalMs?: number;
  /** Fields added to every TrainOptions (e.g. threads). @defaultValue {} */
  trainDefaults?: Partial<TrainOptions>;
}

/** The model library's options for one run's parameters (a custom arch gets the dataset's input shape and class count). */
export function trainOptionsFor(params: RunParams, outDir: string): TrainOptions {
  const { arch, lrSchedule, ...rest } = params;
  return {
    ...rest,
    arch: typeof arch === 'string' ? arch : customArchSpec(arch, params.dataset),
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

/**
 * The BullMQ processor of the `training` queue: trains one run in a scratch folder, resuming from the checkpoint
 * an earlier attempt (on any host) left in the store, puts each epoch's checkpoint and then the finished run
 * into the store (runs/<runId>), reports throttled progress to the job and the registry, and returns the run's
 * metrics summary. A cancelled run fails without retry; a job interrupted by
 * shutdown goes back to the front of the wait list without counting an attempt.
 */
export function trainingProcessor(deps: TrainingProcessorDeps) {
  const { registry, store, log } = deps;

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
    const sync = new RunSync(store, runId, join(deps.scratchDir, runArtifactsPrefix(runId)));
    const resuming = await sync.fetchCheckpoint();
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
      `run ${runId}: training in ${sync.outDir} for ${store.location} (attempt ${job.attemptsMade + 1}, ` +
        `started ${job.attemptsStarted}, ${resuming ? 'resuming from the stored checkpoint' : 'no checkpoint'})`,
    );
    let result: TrainResult;
    let artifacts: string[] = [];
    try {
      result = await deps.train({
        ...deps.trainDefaults,
        ...trainOptionsFor(params, sync.outDir),
        ...(stoppedAt === null ? {} : { epochs: stoppedAt }),
        onProgress: reporter.report,
        onEpochEnd: (record) => endOfEpoch({ registry, runId, sweepId, params, scheduler, log }, record),
        onCheckpoint: () => sync.pushCheckpoint(),
        signal,
        log: (line) => log(`run ${runId}: ${line}`),
      });
      if (result.status === 'completed') artifacts = await sync.pushRun();
    } catch (err) {
      // The model library refused the options: another attempt would be refused the same way.
      if (err instanceof TrainOptionsError || err instanceof ArchSpecError)
        throw new UnrecoverableError(`run ${runId}: ${err.message}`);
      throw err;
    } finally {
      watch.stop();
      await reporter.flush();
      await sync.clean();
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
      artifacts,
    };
  };
}

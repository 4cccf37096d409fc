import type { RunMetrics } from './artifacts.js';
import { describeBackend, initBackend } from './backend.js';
import { buildModel } from './build.js';
import { type EpochRecord, checkpointDir } from './checkpoint.js';
import { evaluateSet } from './evaluate.js';
import { trainableVariables } from './parallel/shard.js';
import { loadTrainingSets } from './training/data.js';
import { noteValidationAccuracy, stopsEarly } from './training/early-stopping.js';
import { runEpoch } from './training/epoch.js';
import { finishRun } from './training/finish.js';
import { type TrainOptions, resolveTrainOptions } from './training/options.js';
import { RunClock } from './training/progress.js';
import { freshProgress, readWeights, saveCheckpoint, startOrResume } from './training/resume.js';
import { createTrainingStep, makeOptimizer } from './training/step.js';

/** What an {@link TrainOptions.onEpochEnd} hook answers. */
export type EpochVerdict = 'continue' | 'stop';

export interface TrainResult {
  status: 'completed' | 'aborted';
  outDir: string;
  /** Epochs completed so far. */
  epochsRun: number;
  /** Present when completed. */
  metrics?: RunMetrics;
}

function epochLine(record: EpochRecord, epochs: number): string {
  return (
    `epoch ${record.epoch}/${epochs}: loss ${record.loss.toFixed(4)} accuracy ${record.accuracy.toFixed(4)}` +
    (record.valAccuracy === undefined
      ? ''
      : ` val_loss ${record.valLoss!.toFixed(4)} val_accuracy ${record.valAccuracy.toFixed(4)}`)
  );
}

/**
 * Trains a CAM model with a custom loop (per-batch gradients, then an optimizer step), writing a checkpoint
 * at the end of every epoch (and when aborted) into `outDir/checkpoint`, and resuming from it when present.
 * When done it writes model.json + weights.bin, metrics.json, confusion-train.csv, confusion-test.csv and
 * curves.png into `outDir`, and removes the checkpoint.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const r = resolveTrainOptions(opts);
  const log = opts.log ?? ((): void => undefined);
  const started = performance.now();
  const backend = await initBackend(opts.backend);
  log(`backend: ${describeBackend(backend)}`);
  const sets = await loadTrainingSets(r);
  const model = buildModel(r.arch, { seed: r.seed });
  const optimizer = makeOptimizer(r, trainableVariables(model));
  const trainingStep = await createTrainingStep(model, optimizer, {
    threads: r.threads,
    maxBatch: r.batchSize,
  });
  try {
    const ckptDir = checkpointDir(r.outDir);
    const state = await startOrResume(ckptDir, r, model, optimizer, log);
    const clock = new RunClock(state.seconds);
    const checkpoint = async () => {
      await saveCheckpoint(ckptDir, state, model, optimizer, clock.totalSeconds());
      await opts.onCheckpoint?.(ckptDir);
    };
    const aborted = (): TrainResult => ({ status: 'aborted', outDir: r.outDir, epochsRun: state.epoch });
    const loop = {
      set: sets.train,
      r,
      trainingStep,
      optimizer,
      clock,
      onProgress: opts.onProgress,
      signal: opts.signal,
    };

    let stoppedByHook = false;
    while (state.epoch < r.epochs && !stopsEarly(r.patience, state) && !stoppedByHook) {
      const epoch = state.epoch + 1;
      const epochStart = performance.now();
      const outcome = await runEpoch(loop, epoch, state.partial);
      if (outcome.kind === 'aborted') {
        await checkpoint();
        return aborted();
      }
      const p = state.partial;
      const record: EpochRecord = {
        epoch,
        loss: p.lossSum / p.seen,
        accuracy: p.correct / p.seen,
        learningRate: outcome.learningRate,
        seconds: (performance.now() - epochStart) / 1000,
      };
      if (sets.validation) {
        const v = evaluateSet(model, sets.validation);
        record.valLoss = v.loss;
        record.valAccuracy = v.accuracy;
        noteValidationAccuracy(state, epoch, v.accuracy, () => readWeights(model));
      }
      state.history.push(record);
      state.epoch = epoch;
      state.partial = freshProgress();
      if ((await opts.onEpochEnd?.(record)) === 'stop') stoppedByHook = true;
      await checkpoint();
      log(epochLine(record, r.epochs));
      if (opts.signal?.aborted && state.epoch < r.epochs) return aborted();
    }

    const metrics = await finishRun({
      model,
      r,
      backend,
      state,
      sets,
      ckptDir,
      wallSeconds: () => clock.secondsBefore + (performance.now() - started) / 1000,
    });
    return { status: 'completed', outDir: r.outDir, epochsRun: state.epoch, metrics };
  } finally {
    await trainingStep.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

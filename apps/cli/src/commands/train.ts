import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { DatasetNotFoundError } from '@cam/dataset';
import { onStopSignals } from '@cam/process';
import {
  ARCH_PRESETS,
  type ArchSpec,
  ArchSpecError,
  BACKEND_PREFERENCES,
  BackendUnavailableError,
  DEFAULT_RECIPE,
  type LrSchedule,
  OPTIMIZER_NAMES,
  type TrainOptions,
  type TrainProgress,
  train,
  validateArch,
} from '@cam/model';
import { LR_SCHEDULE_FORMS, parseLrSchedule } from '@cam/recipe';
import { type CommandIo, UsageError, choiceFlag, numberFlag, parseFlags } from '../flags.js';

export const TRAIN_USAGE = `cam train --out DIR [options]
  --out DIR                 run folder: model.json, weights.bin, metrics.json, confusion CSVs, curves.png
  --arch NAME|FILE          ${Object.keys(ARCH_PRESETS).join(' | ')} | a JSON spec file { name, inputShape, convs: [{ filters, kernelSize }], classes } (default ${DEFAULT_RECIPE.arch})
  --dataset NAME            mnist | fashion-mnist | a folder of the 4 IDX files (default ${DEFAULT_RECIPE.dataset})
  --train-size N            the first N training images, before the validation split (default all)
  --test-size N             the first N test images (default all)
  --validation-split F      share of the training images held out, 0 <= F < 1 (default ${DEFAULT_RECIPE.validationSplit})
  --epochs N                (default ${DEFAULT_RECIPE.epochs})
  --batch-size N            (default ${DEFAULT_RECIPE.batchSize})
  --lr X                    learning rate (default ${DEFAULT_RECIPE.learningRate})
  --optimizer NAME          ${OPTIMIZER_NAMES.join(' | ')} (default ${DEFAULT_RECIPE.optimizer})
  --momentum X              SGD momentum (default ${DEFAULT_RECIPE.momentum})
  --lr-schedule S           ${LR_SCHEDULE_FORMS}, e.g. step:10:2 halves it every 10 epochs (default ${DEFAULT_RECIPE.lrSchedule})
  --patience N              early stopping on validation accuracy; keeps the best epoch (default off)
  --seed N                  initialisation and shuffling (default ${DEFAULT_RECIPE.seed})
  --threads N               data-parallel threads per batch (default ${DEFAULT_RECIPE.threads})
  --backend NAME            ${BACKEND_PREFERENCES.join(' | ')} (default CAM_BACKEND or auto)
  --json                    print metrics.json to stdout when done
A run stopped by Ctrl-C (or SIGTERM) or killed keeps DIR/checkpoint; the same command resumes it.`;

const FLAGS = {
  out: { type: 'string' },
  arch: { type: 'string', default: DEFAULT_RECIPE.arch },
  dataset: { type: 'string', default: DEFAULT_RECIPE.dataset },
  'train-size': { type: 'string' },
  'test-size': { type: 'string' },
  'validation-split': { type: 'string' },
  epochs: { type: 'string', default: String(DEFAULT_RECIPE.epochs) },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  momentum: { type: 'string' },
  'lr-schedule': { type: 'string' },
  patience: { type: 'string' },
  seed: { type: 'string' },
  threads: { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

function archFlag(text: string): string | ArchSpec {
  if (Object.hasOwn(ARCH_PRESETS, text)) return text;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(text, 'utf8'));
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'neither a preset nor an existing file'
        : (err as Error).message;
    throw new UsageError(`--arch: '${text}': ${reason} (presets: ${Object.keys(ARCH_PRESETS).join(', ')})`);
  }
  try {
    return validateArch(json);
  } catch (err) {
    throw new UsageError(`--arch ${text}: ${(err as Error).message}`);
  }
}

function scheduleFlag(text: string | undefined): LrSchedule | undefined {
  if (text === undefined) return undefined;
  try {
    return parseLrSchedule(text);
  } catch (err) {
    throw new UsageError(`--lr-schedule: ${(err as Error).message}`);
  }
}

/** The flags as training options (every check that needs no file but the arch spec happens here). */
export function parseTrainArgs(argv: string[]): {
  options: Omit<TrainOptions, 'onProgress' | 'signal' | 'log'>;
  json: boolean;
} {
  const v = parseFlags(argv, FLAGS);
  if (!v.out) throw new UsageError('--out DIR is required');
  const positive = { integer: true, min: 1 };
  const options: Omit<TrainOptions, 'onProgress' | 'signal' | 'log'> = {
    outDir: resolve(v.out),
    arch: archFlag(v.arch),
    dataset: v.dataset,
    trainSize: numberFlag('train-size', v['train-size'], positive),
    testSize: numberFlag('test-size', v['test-size'], positive),
    validationSplit: numberFlag('validation-split', v['validation-split'], { min: 0, max: 0.99 }),
    epochs: numberFlag('epochs', v.epochs, positive)!,
    batchSize: numberFlag('batch-size', v['batch-size'], positive),
    learningRate: numberFlag('lr', v.lr, { min: 0, exclusiveMin: true }),
    optimizer: choiceFlag('optimizer', v.optimizer, OPTIMIZER_NAMES),
    momentum: numberFlag('momentum', v.momentum, { min: 0, max: 0.999 }),
    lrSchedule: scheduleFlag(v['lr-schedule']),
    patience: numberFlag('patience', v.patience, positive),
    seed: numberFlag('seed', v.seed, { integer: true }),
    threads: numberFlag('threads', v.threads, positive),
    backend: choiceFlag('backend', v.backend, BACKEND_PREFERENCES),
  };
  if (options.patience !== undefined && options.validationSplit === 0)
    throw new UsageError('--patience needs a validation set (--validation-split > 0)');
  return { options, json: v.json };
}

/** A progress bar on stderr (drawn only on a terminal), one tick per step over the whole run. */
function progressBar(io: CommandIo) {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format:
        'epoch {epochLabel} |{bar}| {percentage}% | loss {loss} acc {accuracy} | {ips} img/s | ETA {etaText}',
      hideCursor: true,
      clearOnComplete: false,
      // Redirected to a file or a pipe, the bar becomes one line every 30 s instead of silence until the epoch ends.
      noTTYOutput: true,
      notTTYSchedule: 30_000,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p: TrainProgress) {
      const done = (p.epoch - 1) * p.steps + p.step;
      const payload = {
        epochLabel: `${p.epoch}/${p.epochs}`,
        loss: p.loss.toFixed(4),
        accuracy: p.accuracy.toFixed(4),
        ips: p.imagesPerSecond.toFixed(1),
        etaText: `${Math.round(p.etaSeconds)}s`,
      };
      if (!started) {
        bar.start(p.epochs * p.steps, done, payload);
        started = true;
      } else {
        bar.update(done, payload);
      }
    },
    /** Stops the bar before a log line, so the line does not land inside it. */
    log(line: string) {
      if (started && process.stderr.isTTY) process.stderr.write('\n');
      io.stderr(`${line}\n`);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * `cam train`: trains with a progress bar, writes the run folder, prints a summary (or metrics.json with
 * --json). SIGINT/SIGTERM stop after the current step with a checkpoint. Returns the exit status: 0 done,
 * 2 bad flags or input, 130 stopped by a signal.
 */
export async function runTrain(argv: string[], io: CommandIo): Promise<number> {
  const { options, json } = parseTrainArgs(argv);
  const controller = new AbortController();
  // A second signal exits at once; the last checkpoint written stays.
  const removeSignalHandlers = onStopSignals((sig) => {
    io.stderr(`\n${sig}: stopping after this step and writing a checkpoint (again to stop at once)\n`);
    controller.abort();
  });
  const bar = progressBar(io);
  try {
    const result = await train({
      ...options,
      signal: controller.signal,
      onProgress: (p) => bar.update(p),
      log: (line) => bar.log(line),
    });
    bar.stop();
    if (result.status === 'aborted') {
      io.stderr(
        `stopped after ${result.epochsRun} complete epoch(s); checkpoint in ${result.outDir}/checkpoint: run the same command to resume\n`,
      );
      return 130;
    }
    const m = result.metrics!;
    if (json) {
      io.stdout(`${JSON.stringify(m, null, 2)}\n`);
    } else {
      io.stdout(
        `${m.arch} (${m.params} params) on ${m.dataset}, ${m.epochsRun} epoch(s), backend ${m.backend}: ` +
          `train accuracy ${m.trainAccuracy.toFixed(4)}, test accuracy ${m.testAccuracy.toFixed(4)}, ${m.wallSeconds.toFixed(1)} s\n` +
          `artifacts in ${result.outDir}\n`,
      );
    }
    return 0;
  } catch (err) {
    bar.stop();
    if (
      err instanceof RangeError ||
      err instanceof ArchSpecError ||
      err instanceof DatasetNotFoundError ||
      err instanceof BackendUnavailableError
    ) {
      throw new UsageError(err.message);
    }
    throw err;
  } finally {
    removeSignalHandlers();
  }
}

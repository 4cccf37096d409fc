import { join } from 'node:path';
import { chartGrid, lineChart, svgToPng, type Series } from '@cam/plot';
import type { ArchSpec } from './arch.js';
import type { EpochRecord } from './checkpoint.js';
import type { WasmKernelChoice } from './kernels/index.js';
import { confusionCsv } from './evaluate.js';
import { writeFileAtomic } from './io.js';
import type { LrSchedule, OptimizerName } from './optimizer.js';

/** The training settings of a run, as recorded in metrics.json. */
export interface Recipe {
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number | null;
  lrSchedule: LrSchedule;
  batchSize: number;
  validationSplit: number;
  patience: number | null;
  seed: number;
  threads: number;
}

/** metrics.json of a run folder. */
export interface RunMetrics {
  arch: string;
  archSpec: ArchSpec;
  params: number;
  dataset: string;
  backend: string;
  backendReason: string;
  /** On wasm: the convolution kernels that ran ('onednn' through the native addon, or 'emitted') and why. */
  kernels?: WasmKernelChoice;
  /** Epochs asked for. */
  epochs: number;
  /** Epochs trained (fewer when early stopping ended the run). */
  epochsRun: number;
  stoppedEarly: boolean;
  /** The epoch whose weights were kept (early stopping restores the best validation accuracy), or the last. */
  keptEpoch: number;
  trainSize: number;
  validationSize: number;
  testSize: number;
  trainAccuracy: number;
  trainLoss: number;
  validationAccuracy: number | null;
  testAccuracy: number;
  testLoss: number;
  /** Seconds from the start of training to the artifacts, summed over resumed processes. */
  wallSeconds: number;
  history: EpochRecord[];
  recipe: Recipe;
}

export const METRICS_FILE = 'metrics.json';
export const CURVES_FILE = 'curves.png';

function curve(
  history: EpochRecord[],
  name: string,
  pick: (r: EpochRecord) => number | undefined,
  dashed = false,
): Series {
  return { name, dashed, points: history.map((r) => [r.epoch, pick(r) ?? NaN] as [number, number]) };
}

/** Loss and accuracy per epoch, training and validation, as a PNG of two line charts. */
export function curvesPng(history: EpochRecord[], title: string): Buffer {
  const hasValidation = history.some((r) => r.valAccuracy !== undefined);
  const panel = (
    label: string,
    train: (r: EpochRecord) => number | undefined,
    val: (r: EpochRecord) => number | undefined,
  ) =>
    lineChart({
      xLabel: 'epoch',
      yLabel: label,
      integerX: true,
      series: [
        curve(history, `train ${label}`, train),
        ...(hasValidation ? [curve(history, `validation ${label}`, val, true)] : []),
      ],
    });
  const svg = chartGrid({
    title,
    panels: [
      panel(
        'loss',
        (r) => r.loss,
        (r) => r.valLoss,
      ),
      panel(
        'accuracy',
        (r) => r.accuracy,
        (r) => r.valAccuracy,
      ),
    ],
  });
  return svgToPng(svg);
}

/** Writes metrics.json, the two confusion matrices and curves.png into `dir`. */
export async function writeRunArtifacts(
  dir: string,
  metrics: RunMetrics,
  confusion: { train: number[][]; test: number[][] },
): Promise<string[]> {
  const files = {
    [METRICS_FILE]: JSON.stringify(metrics, null, 2) + '\n',
    'confusion-train.csv': confusionCsv(confusion.train),
    'confusion-test.csv': confusionCsv(confusion.test),
    [CURVES_FILE]: curvesPng(metrics.history, `${metrics.arch} on ${metrics.dataset}`),
  };
  for (const [name, data] of Object.entries(files)) await writeFileAtomic(join(dir, name), data);
  return Object.keys(files);
}

import type * as tf from '@tensorflow/tfjs';
import type { Box } from '@cam/dataset';
import { chartGrid, lineChart, svgToPng, type Series } from '@cam/plot';
import { argmaxRows } from '../compute-maps.js';
import { boxFromMap, iou } from '../localization.js';
import type { CamMethodName } from '../methods/registry.js';
import { averageDropIncrease } from './confidence.js';
import { blurImages, deletionInsertion } from './deletion.js';
import { type Explainer, centredBlobExplainer, methodExplainer, randomMapExplainer } from './explainers.js';
import { pointingGame } from './pointing.js';
import { road } from './road.js';
import { type SanityResult, cascadingRandomization } from './sanity.js';
import { type GreyImages, type Scorer, mean, modelScorer, targetProbabilities } from './scorer.js';

export interface EvaluationOptions {
  methods: CamMethodName[];
  /** Conv layer the methods read. @defaultValue the last conv */
  layer?: string;
  /** Deletion / insertion steps. @defaultValue 16 */
  steps?: number;
  /** Seed of the random-map baseline, ROAD's noise and the randomised weights. @defaultValue 1 */
  seed?: number;
  /** Images (the first ones) the sanity check maps on every randomised model. @defaultValue 32 */
  sanityCount?: number;
  /** Canvases with true boxes (translated MNIST) for the pointing game and localization accuracy. */
  localization?: { images: GreyImages; boxes: Box[]; model: tf.LayersModel };
  /** Images per forward pass. @defaultValue 256 */
  batchSize?: number;
  /** A line per finished row. */
  log?: (line: string) => void;
}

/** One method or baseline on every metric (means over the images). */
export interface EvaluationRow {
  name: string;
  baseline: boolean;
  /** Lower is better. */
  deletionAuc: number;
  insertionAuc: number;
  /** Average drop in confidence, a fraction (lower is better). */
  averageDrop: number;
  /** Share of images whose confidence rose on the explanation map. */
  increaseInConfidence: number;
  road: number;
  /** Null without canvases. */
  pointingGame: number | null;
  localizationAccuracy: number | null;
  sanity: SanityResult;
  seconds: number;
}

export interface EvaluationReport {
  count: number;
  /** Share of the images the model classifies as their label (when labels are given). */
  accuracy: number | null;
  steps: number;
  canvases: number | null;
  rows: EvaluationRow[];
  /** Mean deletion / insertion curves per row, points at fractions 0, 1/steps, ..., 1. */
  curves: { name: string; deletion: number[]; insertion: number[] }[];
}

/** The explainers of a report: the methods, then the random-map and centred-blob baselines. */
export function evaluationExplainers(
  opts: Pick<EvaluationOptions, 'methods' | 'layer' | 'seed'>,
): Explainer[] {
  return [
    ...opts.methods.map((m) => methodExplainer(m, { layer: opts.layer })),
    randomMapExplainer(opts.seed ?? 1),
    centredBlobExplainer(),
  ];
}

function subset(images: GreyImages, count: number): GreyImages {
  const n = Math.min(count, images.n);
  return { ...images, n, pixels: images.pixels.subarray(0, n * images.rows * images.cols) };
}

/**
 * Every metric for every explainer on the images, explaining the class the model predicts for each:
 * deletion / insertion AUC, average drop / increase in confidence, ROAD, the sanity check, and with
 * canvases the pointing game and localization accuracy (box of the largest component above 20 % of the
 * map's maximum, IoU >= 0.5). Perturbed images go through the model in batches of all images per step.
 */
export async function evaluateExplainers(
  model: tf.LayersModel,
  images: GreyImages,
  explainers: Explainer[],
  opts: Omit<EvaluationOptions, 'methods' | 'layer'> & { labels?: ArrayLike<number> } = {},
): Promise<EvaluationReport> {
  const { steps = 16, seed = 1, sanityCount = 32, batchSize = 256, log = () => undefined } = opts;
  if (images.n === 0) throw new RangeError('no images to evaluate');
  const scorer: Scorer = modelScorer(model, images.rows, images.cols, batchSize);
  const probabilities = await scorer(images.pixels, images.n);
  const classCount = probabilities.length / images.n;
  const targets = argmaxRows(probabilities, classCount);
  const before = targetProbabilities(probabilities, targets);
  const accuracy = opts.labels
    ? Array.from(targets).filter((c, i) => c === opts.labels![i]).length / images.n
    : null;
  const blurred = blurImages(images);
  const sanityImages = subset(images, sanityCount);
  const sanityTargets = targets.subarray(0, sanityImages.n);
  const canvas = opts.localization;
  let canvasTargets: Int32Array | undefined;
  if (canvas) {
    const canvasScorer = modelScorer(canvas.model, canvas.images.rows, canvas.images.cols, batchSize);
    canvasTargets = argmaxRows(await canvasScorer(canvas.images.pixels, canvas.images.n), classCount);
  }
  const rows: EvaluationRow[] = [];
  const curves: EvaluationReport['curves'] = [];
  for (const explainer of explainers) {
    const started = performance.now();
    const maps = await explainer.explain(model, images, targets);
    const curve = await deletionInsertion(scorer, images, maps, targets, { steps, blurred });
    const confidence = await averageDropIncrease(scorer, images, maps, targets, before);
    const roadResult = await road(scorer, images, maps, targets, before, { seed });
    const sanity = await cascadingRandomization(
      model,
      explainer,
      sanityImages,
      sanityTargets,
      maps.subarray(0, sanityImages.n * images.rows * images.cols),
      { seed },
    );
    let pointing: number | null = null;
    let localization: number | null = null;
    if (canvas && canvasTargets) {
      const { rows: h, cols: w } = canvas.images;
      const canvasMaps = await explainer.explain(canvas.model, canvas.images, canvasTargets);
      pointing = pointingGame(canvasMaps, h, w, canvas.boxes);
      localization =
        canvas.boxes.filter(
          (box, i) => iou(boxFromMap(canvasMaps.subarray(i * h * w, (i + 1) * h * w), h, w), box) >= 0.5,
        ).length / canvas.boxes.length;
    }
    const row: EvaluationRow = {
      name: explainer.name,
      baseline: explainer.baseline ?? false,
      deletionAuc: mean(curve.deletionAuc),
      insertionAuc: mean(curve.insertionAuc),
      averageDrop: confidence.averageDrop,
      increaseInConfidence: confidence.increaseInConfidence,
      road: roadResult.road,
      pointingGame: pointing,
      localizationAccuracy: localization,
      sanity,
      seconds: (performance.now() - started) / 1000,
    };
    rows.push(row);
    curves.push({ name: explainer.name, deletion: curve.meanDeletion, insertion: curve.meanInsertion });
    log(formatRow(row));
  }
  return { count: images.n, accuracy, steps, canvases: canvas?.images.n ?? null, rows, curves };
}

const percent = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)} %`);

function formatRow(row: EvaluationRow): string {
  return `| ${row.name} | ${row.deletionAuc.toFixed(3)} | ${row.insertionAuc.toFixed(3)} | ${percent(row.averageDrop)} | ${percent(row.increaseInConfidence)} | ${row.road.toFixed(3)} | ${percent(row.pointingGame)} | ${percent(row.localizationAccuracy)} | ${row.sanity.final.toFixed(2)}${row.sanity.flagged ? ' FLAGGED' : ''} | ${row.seconds.toFixed(1)} |`;
}

/** Header of the Markdown table {@link formatEvaluationTable} prints. */
export const EVALUATION_TABLE_HEADER =
  '| method | deletion AUC (lower better) | insertion AUC | average drop (lower better) | increase in confidence | ROAD | pointing game | localization (IoU >= 0.5) | sanity: \\|rho\\| after randomising all layers (lower better) | seconds |\n|---|---|---|---|---|---|---|---|---|---|';

/** The report as a Markdown table, one row per method and baseline. */
export function formatEvaluationTable(report: EvaluationReport): string {
  return [EVALUATION_TABLE_HEADER, ...report.rows.map(formatRow)].join('\n');
}

/** Deletion and insertion mean curves of every row side by side, as a PNG (libs/plot). */
export function evaluationCurvesPng(report: EvaluationReport): Buffer {
  const panel = (kind: 'deletion' | 'insertion') =>
    lineChart({
      title: `${kind} (${report.count} images)`,
      xLabel: kind === 'deletion' ? 'fraction of pixels removed' : 'fraction of pixels inserted',
      yLabel: 'probability of the predicted class',
      yRange: [0, 1],
      xRange: [0, 1],
      series: report.curves.map((c, i): Series => ({
        name: c.name,
        points: c[kind].map((v, s) => [s / report.steps, v]),
        dashed: report.rows[i]?.baseline,
      })),
    });
  return svgToPng(chartGrid({ panels: [panel('deletion'), panel('insertion')], columns: 2 }));
}

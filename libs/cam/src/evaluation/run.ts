import type * as tf from '@tensorflow/tfjs';
import { EVALUATION_DEFAULTS } from '@cam/recipe';
import { type ImageSet, takeFirst, translatedSet } from '@cam/dataset';
import { cachedCamHead, methodForLayer } from '../compute-maps.js';
import { withInputSize } from '../localization.js';
import type { CamBatchFile } from '../write.js';
import type { CamMethodName } from '../methods/registry.js';
import {
  type EvaluationReport,
  evaluateExplainers,
  evaluationCurvesPng,
  evaluationExplainers,
  formatEvaluationTable,
} from './evaluate.js';
import type { GreyImages } from './scorer.js';

export interface DatasetEvaluationOptions {
  /** @defaultValue ['cam', 'gradcam'] */
  methods?: CamMethodName[];
  layer?: string;
  /** The first `count` images of the set. */
  count?: number;
  steps?: number;
  seed?: number;
  sanityCount?: number;
  /** Side of the translated-MNIST canvases for the pointing game and localization; 0 leaves them out. */
  canvas?: number;
  log?: (line: string) => void;
}

/** u8 images as floats in [0, 1]. */
export function greyImages(set: ImageSet): GreyImages {
  return {
    pixels: Float32Array.from(set.images, (v) => v / 255),
    n: set.count,
    rows: set.rows,
    cols: set.cols,
  };
}

/**
 * Every method and baseline on the first `count` images of a set (faithfulness and the sanity check on
 * the digits, the pointing game and localization on the same digits pasted on canvases, seeded).
 * @throws RangeError for a layer that is not a conv of the model or that a method is not defined on
 */
export async function evaluateOnDataset(
  model: tf.LayersModel,
  set: ImageSet,
  opts: DatasetEvaluationOptions,
): Promise<EvaluationReport & { methods: CamMethodName[]; layer: string; seed: number }> {
  const o = { ...EVALUATION_DEFAULTS, ...opts, methods: opts.methods ?? [...EVALUATION_DEFAULTS.methods] };
  if (o.methods.length === 0) throw new RangeError('methods: at least one method is needed');
  const head = cachedCamHead(model, o.layer);
  for (const method of o.methods) methodForLayer(method, head);
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > set.count)
    throw new RangeError(`count: must be an integer from 1 to ${set.count}, got ${o.count}`);
  const digits = takeFirst(set, o.count);
  let localization;
  if (o.canvas > 0) {
    const { set: canvases, boxes } = translatedSet(digits, { canvas: o.canvas, seed: o.seed });
    localization = { images: greyImages(canvases), boxes, model: withInputSize(model, o.canvas, o.canvas) };
  }
  const report = await evaluateExplainers(model, greyImages(digits), evaluationExplainers(o), {
    steps: o.steps,
    seed: o.seed,
    sanityCount: o.sanityCount,
    localization,
    labels: digits.labels,
    log: o.log,
  });
  return { ...report, methods: o.methods, layer: head.layer, seed: o.seed };
}

/** Files an evaluation leaves in its folder. */
export const EVALUATION_FILES = {
  json: 'evaluation.json',
  table: 'evaluation.md',
  curves: 'curves.png',
} as const;

/** The files of an evaluation (evaluation.json, the Markdown table, the deletion / insertion curves PNG), encoded, for the caller to write anywhere (a folder, an object store). */
export function encodeEvaluation(report: EvaluationReport): CamBatchFile[] {
  return [
    { name: EVALUATION_FILES.json, data: Buffer.from(`${JSON.stringify(report, null, 2)}\n`) },
    { name: EVALUATION_FILES.table, data: Buffer.from(`${formatEvaluationTable(report)}\n`) },
    { name: EVALUATION_FILES.curves, data: evaluationCurvesPng(report) },
  ];
}

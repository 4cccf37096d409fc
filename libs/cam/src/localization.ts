import * as tf from '@tensorflow/tfjs';
import type { Box, ImageSet } from '@cam/dataset';
import { computeMaps } from './compute-maps.js';
import { mapResizer } from './image/upsample.js';
import type { CamMethodName } from './methods/registry.js';

/**
 * Weakly supervised localization as in Zhou et al. 2016, Section 3: threshold a map at a fraction of its
 * maximum, keep the largest connected component, take its bounding box; a box is correct when its IoU
 * with the true box is at least 0.5.
 */

/** Box of the largest 8-connected region with value >= threshold * max; undefined when max <= 0. */
export function boxFromMap(map: ArrayLike<number>, h: number, w: number, threshold = 0.2): Box | undefined {
  if (map.length !== h * w) throw new RangeError(`map has ${map.length} values, expected ${h}x${w}`);
  if (!(threshold > 0 && threshold <= 1))
    throw new RangeError(`threshold must be in (0, 1], got ${threshold}`);
  let max = -Infinity;
  for (let i = 0; i < map.length; i++) if (map[i] > max) max = map[i];
  if (!(max > 0)) return undefined;
  const cut = threshold * max;
  const seen = new Uint8Array(h * w);
  const stack = new Int32Array(h * w);
  let best: { size: number; box: Box } | undefined;
  for (let start = 0; start < h * w; start++) {
    if (seen[start] || map[start] < cut) continue;
    // Flood fill one component with an explicit stack.
    let top = 0;
    let size = 0;
    const box = { x0: w, y0: h, x1: 0, y1: 0 };
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const p = stack[--top];
      const y = Math.floor(p / w);
      const x = p - y * w;
      size++;
      box.x0 = Math.min(box.x0, x);
      box.y0 = Math.min(box.y0, y);
      box.x1 = Math.max(box.x1, x + 1);
      box.y1 = Math.max(box.y1, y + 1);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const ny = y + dy;
          const nx = x + dx;
          if (ny < 0 || ny >= h || nx < 0 || nx >= w) continue;
          const q = ny * w + nx;
          if (!seen[q] && map[q] >= cut) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    if (!best || size > best.size) best = { size, box };
  }
  return best?.box;
}

function area(b: Box): number {
  return Math.max(0, b.x1 - b.x0) * Math.max(0, b.y1 - b.y0);
}

/** Intersection over union of two boxes (x1, y1 exclusive); 0 when either is empty or missing. */
export function iou(a: Box | undefined, b: Box | undefined): number {
  if (!a || !b) return 0;
  const inter = area({
    x0: Math.max(a.x0, b.x0),
    y0: Math.max(a.y0, b.y0),
    x1: Math.min(a.x1, b.x1),
    y1: Math.min(a.y1, b.y1),
  });
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Share of predicted boxes whose IoU with the true box is at least `minIou` (the paper: 0.5). */
export function localizationAccuracy(predicted: (Box | undefined)[], truth: Box[], minIou = 0.5): number {
  if (predicted.length !== truth.length)
    throw new RangeError(`${predicted.length} predicted boxes for ${truth.length} true ones`);
  if (truth.length === 0) throw new RangeError('no boxes to score');
  return predicted.filter((box, i) => iou(box, truth[i]) >= minIou).length / truth.length;
}

/** The baseline: a box of the given size centred on the canvas. */
export function centredBox(canvasH: number, canvasW: number, boxH: number, boxW: number): Box {
  const y0 = Math.round((canvasH - boxH) / 2);
  const x0 = Math.round((canvasW - boxW) / 2);
  return { x0, y0, x1: x0 + boxW, y1: y0 + boxH };
}

/**
 * The same layers (shared weights) on a larger input: CAM models are fully convolutional up to GAP, so a
 * model trained on 28x28 digits runs on a 64x64 canvas. Only for models whose layers form a chain.
 */
export function withInputSize(model: tf.LayersModel, rows: number, cols: number): tf.LayersModel {
  const [, , , channels] = model.inputs[0].shape as number[];
  const input = tf.input({ shape: [rows, cols, channels] });
  let x: tf.SymbolicTensor = input;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    x = layer.apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x });
}

export interface LocalizationResult {
  method: CamMethodName;
  accuracy: number;
  meanIou: number;
  boxes: (Box | undefined)[];
}

/**
 * Localization accuracy of a method's predicted-class maps on canvases (e.g. translated MNIST) with
 * their true boxes; maps are upsampled to the canvas when the features are smaller.
 */
export async function evaluateLocalization(
  model: tf.LayersModel,
  set: ImageSet,
  truth: Box[],
  opts: { method: CamMethodName; threshold?: number; batchSize?: number },
): Promise<LocalizationResult> {
  const { method, threshold = 0.2, batchSize = 64 } = opts;
  const canvasModel = withInputSize(model, set.rows, set.cols);
  const pixels = set.rows * set.cols;
  const boxes: (Box | undefined)[] = [];
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const xs = tf.tidy(
      () =>
        tf
          .tensor4d(
            set.images.subarray(start * pixels, (start + n) * pixels),
            [n, set.rows, set.cols, 1],
            'float32',
          )
          .div(255) as tf.Tensor4D,
    );
    const result = await computeMaps(canvasModel, xs, { method }).finally(() => xs.dispose());
    const resize = mapResizer(result.h, result.w, set.rows, set.cols);
    for (let i = 0; i < n; i++) {
      boxes.push(
        boxFromMap(
          resize(result.maps.subarray(i * result.h * result.w, (i + 1) * result.h * result.w)),
          set.rows,
          set.cols,
          threshold,
        ),
      );
    }
  }
  const meanIou = boxes.reduce((s, b, i) => s + iou(b, truth[i]), 0) / truth.length;
  return { method, accuracy: localizationAccuracy(boxes, truth), meanIou, boxes };
}

/** A row of {@link localizationReport}: a method or the centred-box baseline. */
export interface LocalizationRow {
  name: string;
  accuracy: number;
  meanIou: number;
}

/**
 * Localization accuracy (IoU >= 0.5) of each method's predicted-class maps on canvases with true boxes,
 * next to the baseline of one centred box the size of the mean true box.
 */
export async function localizationReport(
  model: tf.LayersModel,
  set: ImageSet,
  truth: Box[],
  opts: { methods: CamMethodName[]; threshold?: number; batchSize?: number },
): Promise<LocalizationRow[]> {
  const rows: LocalizationRow[] = [];
  for (const method of opts.methods) {
    const { accuracy, meanIou } = await evaluateLocalization(model, set, truth, { ...opts, method });
    rows.push({ name: method, accuracy, meanIou });
  }
  const meanH = Math.round(truth.reduce((s, b) => s + b.y1 - b.y0, 0) / truth.length);
  const meanW = Math.round(truth.reduce((s, b) => s + b.x1 - b.x0, 0) / truth.length);
  const centred = truth.map(() => centredBox(set.rows, set.cols, meanH, meanW));
  rows.push({
    name: `centred ${meanW}x${meanH} box`,
    accuracy: localizationAccuracy(centred, truth),
    meanIou: centred.reduce((s, b, i) => s + iou(b, truth[i]), 0) / truth.length,
  });
  return rows;
}

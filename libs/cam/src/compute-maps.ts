import * as tf from '@tensorflow/tfjs';
import { type CamHead, camHead } from '@cam/model';
import type { BaseCam } from './methods/base-cam.js';
import { type CamMethodName, camMethod } from './methods/registry.js';
import { type CamTarget, resolveTargets } from './targets.js';

export interface ComputeMapsOptions {
  /** @defaultValue 'cam' */
  method?: CamMethodName;
  /** @defaultValue 'predicted' */
  target?: CamTarget;
  /** True labels, one per image; needed for target 'label'. */
  labels?: ArrayLike<number>;
  /** The conv layer whose features the method reads. @defaultValue the last conv */
  layer?: string;
}

/** Raw maps of a batch. Rows are (image, target) pairs, image-major: T = `perItem` rows per image. */
export interface CamMaps {
  /** [rows, h, w] float32 at feature resolution, as the method defines them (CAM: no ReLU, no scaling). */
  maps: Float32Array;
  h: number;
  w: number;
  perItem: number;
  /** Target class of each row. */
  targets: Int32Array;
  /** Pre-softmax scores [N, C] and softmax probabilities [N, C]. */
  logits: Float32Array;
  probabilities: Float32Array;
  predicted: Int32Array;
  classCount: number;
}

const heads = new WeakMap<tf.LayersModel, Map<string, CamHead>>();

/**
 * The model's CAM head for a target conv layer (default the last), found once per model and layer
 * (throws NotACamModelError for other models, UnknownLayerError for a layer that is not one of its convs).
 */
export function cachedCamHead(model: tf.LayersModel, layer?: string): CamHead {
  let byLayer = heads.get(model);
  if (!byLayer) {
    byLayer = new Map();
    heads.set(model, byLayer);
  }
  const key = layer ?? '';
  let head = byLayer.get(key);
  if (!head) {
    head = camHead(model, layer);
    byLayer.set(key, head);
  }
  return head;
}

/** The method, checked against the layer: methods defined on the last conv only refuse the others. */
export function methodForLayer(name: CamMethodName, head: CamHead): BaseCam {
  const method = camMethod(name);
  if (!head.isLastConv && !method.anyLayer) {
    throw new RangeError(
      `layer: method '${name}' is defined on the last conv layer only ('${head.convLayers.at(-1)}'), got '${head.layer}'`,
    );
  }
  return method;
}

/** Index of the largest value of each row [n, C] (the first on ties). */
export function argmaxRows(values: Float32Array, classCount: number): Int32Array {
  const out = new Int32Array(values.length / classCount);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < classCount; c++)
      if (values[i * classCount + c] > values[i * classCount + best]) best = c;
    out[i] = best;
  }
  return out;
}

function softmaxRows(logits: Float32Array, classCount: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let row = 0; row < logits.length; row += classCount) {
    let max = -Infinity;
    for (let c = 0; c < classCount; c++) max = Math.max(max, logits[row + c]);
    let sum = 0;
    for (let c = 0; c < classCount; c++) sum += out[row + c] = Math.exp(logits[row + c] - max);
    for (let c = 0; c < classCount; c++) out[row + c] /= sum;
  }
  return out;
}

/**
 * Maps of one batch xs [N, rows, cols, channels] (float32, as the model was trained on): one forward pass
 * gives features and logits; the method turns them into maps (CAM: one batched matrix product for all
 * images and targets).
 */
export async function computeMaps(
  model: tf.LayersModel,
  xs: tf.Tensor4D,
  opts: ComputeMapsOptions = {},
): Promise<CamMaps> {
  const head = cachedCamHead(model, opts.layer);
  const method = methodForLayer(opts.method ?? 'cam', head);
  const [activations, logits] = head.features.predict(xs, { batchSize: xs.shape[0] }) as [
    tf.Tensor4D,
    tf.Tensor2D,
  ];
  try {
    const classCount = logits.shape[1];
    const logitValues = (await logits.data()) as Float32Array;
    const predicted = argmaxRows(logitValues, classCount);
    const { classes, perItem } = resolveTargets(opts.target ?? 'predicted', {
      predicted,
      labels: opts.labels,
      classCount,
    });
    const targets = tf.tensor2d(classes, [predicted.length, perItem], 'int32');
    const maps = method.maps({ head, inputs: xs, activations, logits, targets });
    targets.dispose();
    const [, , h, w] = maps.shape;
    const values = (await maps.data()) as Float32Array;
    maps.dispose();
    return {
      maps: values,
      h,
      w,
      perItem,
      targets: classes,
      logits: logitValues,
      probabilities: softmaxRows(logitValues, classCount),
      predicted,
      classCount,
    };
  } finally {
    activations.dispose();
    logits.dispose();
  }
}

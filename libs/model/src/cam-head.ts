import * as tf from '@tensorflow/tfjs';

/** Thrown when a model does not end in last conv -> global average pooling -> bias-free linear dense. */
export class NotACamModelError extends Error {
  constructor(detail: string) {
    super(`not a CAM model: ${detail} (CAM needs last conv -> GlobalAveragePooling2D -> Dense without bias)`);
    this.name = 'NotACamModelError';
  }
}

/** What CAM methods need from a model. */
export interface CamHead {
  /** Same input as the model; outputs [last conv features [B, H, W, K], pre-softmax logits [B, C]]. */
  features: tf.LayersModel;
  /** The dense kernel W [K, C] (a copy: the caller may dispose it). */
  weights: tf.Tensor2D;
  /** The model's own GAP and dense layers applied to features [B, H, W, K] -> logits [B, C] (differentiable). */
  logitsFromFeatures: (features: tf.Tensor4D) => tf.Tensor2D;
}

type Symbolic = tf.SymbolicTensor;

function layerConfig(t: Symbolic): tf.serialization.ConfigDict {
  return t.sourceLayer.getConfig();
}

function describe(t: Symbolic): string {
  return `${t.sourceLayer.getClassName()} '${t.sourceLayer.name}'`;
}

/** The single input of the layer call that produced `t`. */
function inputOf(t: Symbolic): Symbolic {
  if (t.inputs.length !== 1)
    throw new NotACamModelError(`${describe(t)} has ${t.inputs.length} inputs, expected 1`);
  return t.inputs[0];
}

const ELEMENTWISE = new Set(['Activation', 'ReLU']);

/**
 * Finds the CAM structure from the model's output backwards (by layer class and configuration, not by
 * name): an optional softmax activation, a Dense without bias and with linear activation (the logits), a
 * GlobalAveragePooling2D over channels-last features, and below it a Conv2D (possibly followed by
 * activation layers). Throws {@link NotACamModelError} saying which link is missing.
 */
export function camHead(model: tf.LayersModel): CamHead {
  if (model.outputs.length !== 1)
    throw new NotACamModelError(`the model has ${model.outputs.length} outputs, expected 1`);
  let logits = model.outputs[0];
  if (logits.sourceLayer.getClassName() === 'Activation' && layerConfig(logits).activation === 'softmax') {
    logits = inputOf(logits);
  }
  if (logits.sourceLayer.getClassName() !== 'Dense') {
    throw new NotACamModelError(
      `the output comes from ${describe(logits)}, expected a Dense (optionally then softmax)`,
    );
  }
  const dense = layerConfig(logits);
  if (dense.useBias) throw new NotACamModelError(`${describe(logits)} has a bias`);
  if (dense.activation !== 'linear') {
    throw new NotACamModelError(
      `${describe(logits)} has activation '${String(dense.activation)}', expected linear logits`,
    );
  }
  const pooled = inputOf(logits);
  if (pooled.sourceLayer.getClassName() !== 'GlobalAveragePooling2D') {
    throw new NotACamModelError(
      `${describe(logits)} is fed by ${describe(pooled)}, expected GlobalAveragePooling2D`,
    );
  }
  if (layerConfig(pooled).dataFormat === 'channelsFirst')
    throw new NotACamModelError(`${describe(pooled)} is channels-first`);
  const features = inputOf(pooled);
  let conv = features;
  while (ELEMENTWISE.has(conv.sourceLayer.getClassName())) conv = inputOf(conv);
  if (conv.sourceLayer.getClassName() !== 'Conv2D') {
    throw new NotACamModelError(`${describe(pooled)} is fed by ${describe(conv)}, expected a Conv2D`);
  }
  const gapLayer = pooled.sourceLayer;
  const denseLayer = logits.sourceLayer;
  return {
    features: tf.model({ inputs: model.inputs, outputs: [features, logits] }),
    weights: tf.tidy(() => denseLayer.getWeights()[0].clone() as tf.Tensor2D),
    logitsFromFeatures: (f) => denseLayer.apply(gapLayer.apply(f)) as tf.Tensor2D,
  };
}

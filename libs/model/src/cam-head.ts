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
  /** Same input as the model; outputs [target conv features [B, H, W, K], pre-softmax logits [B, C]]. */
  features: tf.LayersModel;
  /** Name of the conv layer whose (activated) output `features` gives. */
  layer: string;
  /** Whether that is the last conv, the one GAP and the dense layer read (CAM's definition needs it). */
  isLastConv: boolean;
  /** The conv layers of the chain, input to output: the targets `camHead` accepts. */
  convLayers: string[];
  /** The dense kernel W [K_last, C] (a copy: the caller may dispose it). */
  weights: tf.Tensor2D;
  /**
   * The model's own layers above the target (the later convs, GAP, dense) applied to features
   * [B, H, W, K] -> logits [B, C] (differentiable).
   */
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

/** Thrown when the asked target layer is not a conv layer of the model's chain. */
export class UnknownLayerError extends RangeError {
  constructor(layer: string, convLayers: string[]) {
    super(`layer '${layer}' is not a conv layer of this model (one of ${convLayers.join(', ')})`);
    this.name = 'UnknownLayerError';
  }
}

/**
 * The chain below `t` (t first, then its input, ...) down to the model input or the first layer with
 * other than one input; each entry is the tensor a layer produced.
 */
function chainBelow(t: Symbolic): Symbolic[] {
  const chain: Symbolic[] = [];
  for (let at: Symbolic | undefined = t; at && at.sourceLayer.getClassName() !== 'InputLayer';) {
    chain.push(at);
    at = at.inputs.length === 1 ? at.inputs[0] : undefined;
  }
  return chain;
}

/** The output of the conv that produced `t` or of the elementwise layers right after it. */
function isConvOutput(t: Symbolic, above: Symbolic | undefined): boolean {
  const convBelow = chainBelow(t).find((x) => !ELEMENTWISE.has(x.sourceLayer.getClassName()));
  return (
    convBelow?.sourceLayer.getClassName() === 'Conv2D' &&
    (above === undefined || !ELEMENTWISE.has(above.sourceLayer.getClassName()))
  );
}

/**
 * Finds the CAM structure from the model's output backwards (by layer class and configuration, not by
 * name): an optional softmax activation, a Dense without bias and with linear activation (the logits), a
 * GlobalAveragePooling2D over channels-last features, and below it a Conv2D (possibly followed by
 * activation layers). Throws {@link NotACamModelError} saying which link is missing.
 *
 * `layer` names the conv whose features the head exposes (default: the last one): any conv of the
 * chain below the last one, the later layers then being part of `logitsFromFeatures`. Its output is
 * taken after the activation layers that directly follow it. Throws {@link UnknownLayerError} for
 * other names.
 */
export function camHead(model: tf.LayersModel, layer?: string): CamHead {
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
  const denseLayer = logits.sourceLayer;
  // Tensors from the logits down; a conv's exposed output is the last of its elementwise followers.
  const chain = chainBelow(logits);
  const convOutputs = chain.filter((t, i) => i > 0 && isConvOutput(t, chain[i - 1]));
  const convName = (t: Symbolic) =>
    chainBelow(t).find((x) => x.sourceLayer.getClassName() === 'Conv2D')!.sourceLayer.name;
  const convLayers = convOutputs.map(convName).reverse();
  const target = layer === undefined ? features : convOutputs.find((t) => convName(t) === layer);
  if (!target) throw new UnknownLayerError(layer!, convLayers);
  // The layers above the target, applied in order from it up to the logits.
  const above = chain
    .slice(0, chain.indexOf(target))
    .reverse()
    .map((t) => t.sourceLayer);
  return {
    features: tf.model({ inputs: model.inputs, outputs: [target, logits] }),
    layer: convName(target),
    isLastConv: target === features,
    convLayers,
    weights: tf.tidy(() => denseLayer.getWeights()[0].clone() as tf.Tensor2D),
    logitsFromFeatures: (f) => above.reduce<tf.Tensor>((x, l) => l.apply(x) as tf.Tensor, f) as tf.Tensor2D,
  };
}

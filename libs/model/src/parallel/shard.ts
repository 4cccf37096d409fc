import * as tf from '@tensorflow/tfjs';

/** What one thread contributes to a training step. */
export interface ShardResult {
  /** Sum over the shard's images of the cross-entropy, divided by the whole batch's size. */
  lossShare: number;
  /** Images of the shard whose arg-max prediction equals the label. */
  correct: number;
}

/**
 * The logits of a CAM model: its output when it ends in dense logits, or the input of its final
 * softmax activation (cross-entropy on logits is the numerically stable form).
 */
export function logitsModelOf(model: tf.LayersModel): tf.LayersModel {
  const output = model.outputs[0]!;
  const last = output.sourceLayer;
  const isSoftmax = last.getClassName() === 'Activation' && last.getConfig().activation === 'softmax';
  if (!isSoftmax) return model;
  return tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
}

/** The model's trainable variables in a fixed order (the order of the flat gradient and weight vectors). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** What a training step differentiates: a model's logits and its trainable variables, looked up once per model. */
export interface GradientTarget {
  readonly logitsModel: tf.LayersModel;
  readonly variables: tf.Variable[];
}

export function gradientTargetOf(model: tf.LayersModel): GradientTarget {
  return { logitsModel: logitsModelOf(model), variables: trainableVariables(model) };
}

/** {@link ShardResult} with the gradients, keyed by variable name; the caller disposes them. */
export interface ShardGradients extends ShardResult {
  grads: tf.NamedTensorMap;
}

/**
 * Gradients of (sum of the images' cross-entropies on the logits / batchSize) with respect to every
 * trainable variable. With `batchSize` the number of images this is the batch's mean loss; with a larger
 * one, a shard's share of it.
 */
export function lossGradients(
  target: GradientTarget,
  xs: tf.Tensor4D,
  labels: tf.Tensor1D,
  batchSize: number,
): ShardGradients {
  const { value, grads, correct } = tf.tidy(() => {
    let logits: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      // Kept past variableGrads' own scope for the accuracy count; disposed below.
      logits = tf.keep(target.logitsModel.apply(xs, { training: true }) as tf.Tensor2D);
      const oneHot = tf.oneHot(labels, logits.shape[1]!);
      const perImage = tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, undefined, tf.Reduction.NONE);
      return tf.div(tf.sum(perImage), batchSize) as tf.Scalar;
    }, target.variables);
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), tf.cast(labels, 'int32')), 'int32'));
    logits!.dispose();
    return { value, grads, correct };
  });
  const result = { lossShare: value.dataSync()[0]!, correct: correct.dataSync()[0]!, grads };
  tf.dispose([value, correct]);
  return result;
}

/** {@link lossGradients} of a shard, written flat into `out` in {@link trainableVariables} order; summing the shards' vectors gives the whole batch's mean-loss gradient. */
export function shardGradients(
  target: GradientTarget,
  xs: tf.Tensor4D,
  labels: tf.Tensor1D,
  batchSize: number,
  out: Float32Array,
): ShardResult {
  const { grads, ...result } = lossGradients(target, xs, labels, batchSize);
  let offset = 0;
  for (const v of target.variables) {
    const g = grads[v.name]!.dataSync();
    out.set(g, offset);
    offset += g.length;
  }
  tf.dispose(Object.values(grads));
  return result;
}

/** Copies a flat vector into the variables, in {@link trainableVariables} order. */
export function assignFlat(variables: tf.Variable[], flat: Float32Array): void {
  let offset = 0;
  for (const v of variables) {
    const size = v.size;
    const value = tf.tensor(flat.subarray(offset, offset + size), v.shape, 'float32');
    v.assign(value); // the variable takes its own reference to the data
    value.dispose();
    offset += size;
  }
}

/** Writes the variables' values flat into `out`, in {@link trainableVariables} order. */
export function readFlat(variables: tf.Variable[], out: Float32Array): void {
  let offset = 0;
  for (const v of variables) {
    const values = v.dataSync();
    out.set(values, offset);
    offset += values.length;
  }
}

import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '@cam/dataset';
import { type ArchSpec, MNIST_NORMALIZATION, resolveArch } from './arch.js';

export interface BuildOptions {
  /** Seed of the weight initialisation: the same seed gives the same weights. */
  seed: number;
}

/**
 * Builds a CAM-capable CNN: [normalize] -> conv_1..conv_n (ReLU, 'same') -> gap -> logits (dense, no bias,
 * linear) -> softmax (its own activation layer, so the pre-softmax logits stay reachable). Convolutions
 * get He-normal kernels and zero biases; the logits start at zero, so the first loss is ln(classes) and
 * every class gets the same start (this trains a GAP network markedly faster than a random dense init).
 */
export function buildModel(arch: ArchSpec | string, opts: BuildOptions): tf.LayersModel {
  const spec = resolveArch(arch);
  const { seed } = opts;
  if (!Number.isInteger(seed)) throw new RangeError(`seed: must be an integer, got ${seed}`);
  const input = tf.input({ shape: spec.inputShape, name: 'image' });
  const normalization = spec.normalization === undefined ? MNIST_NORMALIZATION : spec.normalization;
  let x = input;
  if (normalization !== null) {
    const scaling = tf.layers.rescaling({
      name: 'normalize',
      scale: 1 / normalization.std,
      offset: -normalization.mean / normalization.std,
    });
    x = scaling.apply(x) as tf.SymbolicTensor;
  }
  spec.convs.forEach((conv, i) => {
    const layer = tf.layers.conv2d({
      name: `conv_${i + 1}`,
      filters: conv.filters,
      kernelSize: conv.kernelSize,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: deriveSeed(seed, i + 1) }),
      biasInitializer: 'zeros',
    });
    x = layer.apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({
      name: 'logits',
      units: spec.classes,
      useBias: false,
      activation: 'linear',
      kernelInitializer: 'zeros',
    })
    .apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .activation({ name: 'softmax', activation: 'softmax' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ name: spec.name, inputs: input, outputs: output });
}

/** Number of trainable parameters. */
export function parameterCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + tf.util.sizeFromShape(w.shape as number[]), 0);
}

import * as tf from '@tensorflow/tfjs';

/**
 * A small model with the CAM structure of the project's architectures (conv ReLU same, GAP, bias-free
 * dense, softmax), seeded, for fast deterministic tests on the cpu backend.
 */
export function tinyCamModel(
  opts: { size?: number; filters?: number; classes?: number; seed?: number } = {},
): tf.LayersModel {
  const { size = 8, filters = 6, classes = 4, seed = 1 } = opts;
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed * 10 + s });
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      name: 'conv_1',
      inputShape: [size, size, 1],
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
      biasInitializer: tf.initializers.constant({ value: 0.05 }),
    }),
  );
  model.add(
    tf.layers.conv2d({
      name: 'conv_2',
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(2),
      biasInitializer: tf.initializers.constant({ value: 0.05 }),
    }),
  );
  model.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  model.add(tf.layers.dense({ name: 'logits', units: classes, useBias: false, kernelInitializer: init(3) }));
  model.add(tf.layers.activation({ name: 'softmax', activation: 'softmax' }));
  return model;
}

/** Seeded random images in [0, 1], [n, size, size, 1]. */
export function randomImages(n: number, size = 8, seed = 7): tf.Tensor4D {
  return tf.randomUniform([n, size, size, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
}

import * as tf from '@tensorflow/tfjs';

/**
 * The seed's c3 (NOTES.md), layer for layer the network of ../shared/bench/torch_c3.py: four 3x3 convs
 * of 16 filters and one of 256 (ReLU, 'same'), global average pooling, dense to 10 logits without bias,
 * softmax. Layer names follow the model library's contract so that camHead finds the CAM structure.
 */
export function c3Model(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1] });
  let h: tf.SymbolicTensor = input;
  [16, 16, 16, 16, 256].forEach((filters, i) => {
    h = tf.layers
      .conv2d({
        name: `conv_${i + 1}`,
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
      })
      .apply(h) as tf.SymbolicTensor;
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(h) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ name: 'logits', units: 10, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 5 }) })
    .apply(pooled) as tf.SymbolicTensor;
  const probabilities = tf.layers.activation({ name: 'softmax', activation: 'softmax' }).apply(logits) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probabilities });
}

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { NotACamModelError, UnknownLayerError, camHead } from '../src/cam-head.js';

// Before any model is built: importing @cam/model registers wasm, which would otherwise take priority.
await tf.setBackend('cpu');

interface Variant {
  denseBias?: boolean;
  denseActivation?: 'linear' | 'softmax';
  pooling?: 'gap' | 'flatten' | 'max';
  softmax?: boolean;
  names?: boolean;
}

/** The project's structure (conv ReLU same -> GAP -> bias-free dense -> softmax), or a variant that breaks it. */
function build(v: Variant = {}): tf.Sequential {
  const { denseBias = false, denseActivation = 'linear', pooling = 'gap', softmax = true, names = true } = v;
  const name = (n: string) => (names ? { name: n } : {});
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      ...name('conv_1'),
      inputShape: [6, 6, 1],
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
    }),
  );
  m.add(
    tf.layers.conv2d({ ...name('conv_2'), filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }),
  );
  if (pooling === 'gap') m.add(tf.layers.globalAveragePooling2d({ ...name('gap') }));
  if (pooling === 'max') m.add(tf.layers.globalMaxPooling2d({}));
  if (pooling === 'flatten') m.add(tf.layers.flatten({}));
  m.add(tf.layers.dense({ ...name('logits'), units: 4, useBias: denseBias, activation: denseActivation }));
  if (softmax) m.add(tf.layers.activation({ ...name('softmax'), activation: 'softmax' }));
  return m;
}

describe('camHead', () => {
  it('targets an earlier conv: its features, and the later layers as logitsFromFeatures', () => {
    const model = build();
    const last = camHead(model);
    const head = camHead(model, 'conv_1');
    expect([last.layer, last.isLastConv, head.layer, head.isLastConv]).toEqual([
      'conv_2',
      true,
      'conv_1',
      false,
    ]);
    expect(head.convLayers).toEqual(['conv_1', 'conv_2']);
    const xs = tf.randomUniform([2, 6, 6, 1], 0, 1, 'float32', 4);
    const [features, logits] = head.features.predict(xs) as tf.Tensor[];
    const conv1 = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer('conv_1').output as tf.SymbolicTensor,
    });
    expect(features.shape).toEqual([2, 6, 6, 3]);
    expect(tf.max(tf.abs(features.sub(conv1.predict(xs) as tf.Tensor))).dataSync()[0]).toBe(0);
    expect(
      tf.max(tf.abs(head.logitsFromFeatures(features as tf.Tensor4D).sub(logits))).dataSync()[0],
    ).toBeLessThan(1e-6);
    expect(camHead(model, 'conv_2').isLastConv).toBe(true);
    expect(() => camHead(model, 'gap')).toThrow(UnknownLayerError);
    expect(() => camHead(model, 'conv_9')).toThrow(
      /layer 'conv_9' is not a conv layer of this model \(one of conv_1, conv_2\)/,
    );
  });

  it('exposes the last conv output, the logits and the dense kernel', () => {
    const model = build();
    const head = camHead(model);
    const xs = tf.randomUniform([2, 6, 6, 1], 0, 1, 'float32', 3);
    const [features, logits] = head.features.predict(xs) as tf.Tensor[];
    expect(features.shape).toEqual([2, 6, 6, 5]);
    expect(head.weights.shape).toEqual([5, 4]);
    // logits = GAP(features) W, and softmax(logits) is the model's output.
    const expected = features.mean([1, 2]).matMul(head.weights);
    expect(tf.max(tf.abs(logits.sub(expected))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(tf.softmax(logits).sub(model.predict(xs) as tf.Tensor))).dataSync()[0]).toBeLessThan(
      1e-6,
    );
    expect(
      tf.max(tf.abs(head.logitsFromFeatures(features as tf.Tensor4D).sub(logits))).dataSync()[0],
    ).toBeLessThan(1e-6);
  });

  it('finds the structure by layer type, not by name, with or without a final softmax', () => {
    expect(camHead(build({ names: false })).weights.shape).toEqual([5, 4]);
    expect(camHead(build({ softmax: false })).weights.shape).toEqual([5, 4]);
  });

  it('returns a copy of the weights that the caller may dispose', () => {
    const model = build();
    camHead(model).weights.dispose();
    expect(() => model.predict(tf.zeros([1, 6, 6, 1]))).not.toThrow();
  });

  it.each<[string, Variant, RegExp]>([
    ['a dense with bias', { denseBias: true }, /has a bias/],
    [
      'softmax inside the dense',
      { denseActivation: 'softmax', softmax: false },
      /activation 'softmax', expected linear logits/,
    ],
    ['flatten instead of GAP', { pooling: 'flatten' }, /fed by Flatten .*expected GlobalAveragePooling2D/],
    ['global max pooling', { pooling: 'max' }, /fed by GlobalMaxPooling2D/],
  ])('rejects %s with NotACamModelError', (_, variant, message) => {
    const call = () => camHead(build(variant));
    expect(call).toThrow(NotACamModelError);
    expect(call).toThrow(message);
  });

  it('rejects a model whose output is not a dense layer', () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }));
    expect(() => camHead(m)).toThrow(/output comes from Conv2D/);
  });
});

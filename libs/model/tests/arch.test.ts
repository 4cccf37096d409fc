import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARCH_PRESETS,
  ArchSpecError,
  buildModel,
  camHead,
  parameterCount,
  initBackend,
  resolveArch,
  validateArch,
} from '../src/index.js';

describe('architectures', () => {
  beforeAll(() => initBackend());

  it('builds c3 with exactly 46,800 parameters and the layer shapes of NOTES.md', () => {
    const model = buildModel('c3', { seed: 1 });
    expect(parameterCount(model)).toBe(46_800);
    const convs = model.layers.filter((l) => l.name.startsWith('conv_'));
    expect(convs.map((l) => l.name)).toEqual(['conv_1', 'conv_2', 'conv_3', 'conv_4', 'conv_5']);
    expect(convs.map((l) => l.countParams())).toEqual([160, 2320, 2320, 2320, 37120]);
    expect(convs.map((l) => l.outputShape)).toEqual([
      [null, 28, 28, 16],
      [null, 28, 28, 16],
      [null, 28, 28, 16],
      [null, 28, 28, 16],
      [null, 28, 28, 256],
    ]);
    expect(model.getLayer('gap').outputShape).toEqual([null, 256]);
    const logits = model.getLayer('logits');
    expect(logits.countParams()).toBe(2560);
    expect(logits.getConfig()).toMatchObject({ useBias: false, activation: 'linear', units: 10 });
    expect(model.getLayer('softmax').getConfig().activation).toBe('softmax');
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    model.dispose();
  });

  it('builds c2 (16, 16, 32, 256) and a CAM head for it', () => {
    const model = buildModel('c2', { seed: 1 });
    expect(
      model.layers
        .filter((l) => l.name.startsWith('conv_'))
        .map((l) => (l.getConfig() as { filters: number }).filters),
    ).toEqual([16, 16, 32, 256]);
    const head = camHead(model);
    expect(head.weights.shape).toEqual([256, 10]);
    head.weights.dispose();
    model.dispose();
  });

  it('seeds the initialisation: same seed, same weights; another seed, other weights', () => {
    const weights = (seed: number) => {
      const m = buildModel('c3', { seed });
      const w = m.getLayer('conv_2').getWeights()[0]!.dataSync().slice();
      m.dispose();
      return w;
    };
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
  });

  it('builds a fully convolutional spec for another input size and keeps pixels in [0, 1] as the input', () => {
    const spec = {
      name: 'tiny',
      inputShape: [40, 32, 1] as [number, number, number],
      convs: [
        { filters: 4, kernelSize: 5 },
        { filters: 8, kernelSize: 3 },
      ],
      classes: 3,
    };
    const model = buildModel(spec, { seed: 2 });
    expect(model.getLayer('conv_2').outputShape).toEqual([null, 40, 32, 8]);
    const out = model.predict(tf.zeros([2, 40, 32, 1])) as tf.Tensor;
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(out.sum(1).dataSync()).every((s) => Math.abs(s - 1) < 1e-5)).toBe(true);
    tf.dispose(out);
    model.dispose();
  });

  it('rejects invalid specs with errors naming the field', () => {
    const base = { ...ARCH_PRESETS.c3, convs: [...ARCH_PRESETS.c3.convs] };
    const cases: [unknown, RegExp][] = [
      [null, /arch: must be an object/],
      [{ ...base, name: '' }, /arch\.name/],
      [{ ...base, inputShape: [28, 28] }, /arch\.inputShape: must be \[height, width, channels\]/],
      [{ ...base, inputShape: [28, 0, 1] }, /arch\.inputShape\[1\]: must be a positive integer, got 0/],
      [{ ...base, convs: [] }, /arch\.convs: must be a non-empty list/],
      [
        {
          ...base,
          convs: [
            { filters: 16, kernelSize: 3 },
            { filters: 2.5, kernelSize: 3 },
          ],
        },
        /arch\.convs\[1\]\.filters: must be a positive integer, got 2\.5/,
      ],
      [{ ...base, convs: [{ filters: 16, kernelSize: 4 }] }, /arch\.convs\[0\]\.kernelSize: must be odd/],
      [{ ...base, convs: [7] }, /arch\.convs\[0\]: must be \{ filters, kernelSize \}/],
      [{ ...base, classes: 1 }, /arch\.classes: must be at least 2/],
      [{ ...base, normalization: { mean: 0, std: 0 } }, /arch\.normalization\.std/],
    ];
    for (const [spec, message] of cases)
      expect(() => validateArch(spec), JSON.stringify(spec)).toThrow(message);
    expect(() => validateArch(null)).toThrow(ArchSpecError);
    expect(() => resolveArch('c9')).toThrow(/unknown preset 'c9' \(known: c2, c3\)/);
    expect(() => buildModel('c3', { seed: 0.5 })).toThrow(/seed: must be an integer/);
  });
});

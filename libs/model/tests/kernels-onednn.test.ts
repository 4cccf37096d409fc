import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { onednnAddon } from '../src/kernels/onednn-addon.js';
import { describeKernelAgreement, randomArray, relativeError } from './kernel-agreement.js';

// Skipped only where the addon cannot be built (no compiler, Node headers or libdnnl-dev); a failed
// build or load where it can fails the suite (registerWasmKernels('onednn') throws).
const loaded = onednnAddon();
if (loaded.addon === undefined && loaded.prerequisiteMissing)
  describe('oneDNN kernels', () => it.skip(`skipped: ${loaded.error}`));
else describeKernelAgreement('onednn');

describe.skipIf(loaded.addon === undefined)('oneDNN addon called directly on a heap', () => {
  const addon = loaded.addon!;
  // x [2, 5, 4, 3] (NHWC), 3x3 filter 3 -> 4, 'same' padding (1 on each side), dy [2, 5, 4, 4].
  const geometry = Int32Array.of(2, 5, 4, 3, 3, 3, 4, 5, 4, 1, 1, 1, 1, 1, 1);
  const sizes = { x: 2 * 5 * 4 * 3, dy: 2 * 5 * 4 * 4, dw: 3 * 3 * 3 * 4, db: 4 };

  it('Conv2DBackpropFilter with the bias gradient matches tfjs (cpu) on fresh random inputs', async () => {
    await tf.setBackend('cpu');
    const seed = Date.now() % 1_000_000;
    const heap = new Float32Array(sizes.x + sizes.dy + sizes.dw + sizes.db);
    const x = randomArray(sizes.x, seed);
    const dy = randomArray(sizes.dy, seed + 1);
    heap.set(x, 0);
    heap.set(dy, sizes.x);
    const at = {
      x: 0,
      dy: sizes.x * 4,
      dw: (sizes.x + sizes.dy) * 4,
      db: (sizes.x + sizes.dy + sizes.dw) * 4,
    };
    addon.conv2dBackpropFilter(heap.buffer, geometry, at.x, at.dy, at.dw, at.db);
    const [dwReference, dbReference] = tf.tidy(() => {
      const xT = tf.tensor4d(x, [2, 5, 4, 3]);
      const dyT = tf.tensor4d(dy, [2, 5, 4, 4]);
      return [
        (
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x: xT, dy: dyT },
              { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] },
            ) as tf.Tensor
        ).dataSync() as Float32Array,
        tf.sum(dyT, [0, 1, 2]).dataSync() as Float32Array,
      ];
    });
    const dw = heap.subarray(at.dw / 4, at.dw / 4 + sizes.dw);
    const db = heap.subarray(at.db / 4, at.db / 4 + sizes.db);
    expect(relativeError(dw, dwReference!), `dW, seed ${seed}`).toBeLessThan(1e-4);
    expect(relativeError(db, dbReference!), `bias gradient, seed ${seed}`).toBeLessThan(1e-4);
  });

  it('refuses a tensor that does not lie inside the heap, and a malformed geometry', () => {
    const heap = new ArrayBuffer((sizes.x + sizes.dy) * 4);
    expect(() => addon.conv2dBackpropFilter(heap, geometry, 0, sizes.x * 4, heap.byteLength, -1)).toThrow(
      /tensor outside the heap/,
    );
    expect(() => addon.conv2d(heap, Int32Array.of(1, 2, 3), 0, 0, -1, 0, false)).toThrow(
      /geometry must be an Int32Array of 15/,
    );
  });
});

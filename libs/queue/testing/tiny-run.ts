import type { RunParams } from '../src/index.js';

/**
 * A tiny CAM net on a few hundred MNIST digits, for tests that train real runs through the service: an epoch takes
 * about a second. Learning rate, seed and epochs are each test's own.
 */
export const TINY_RUN: Pick<RunParams, 'arch' | 'trainSize' | 'testSize' | 'batchSize'> = {
  arch: {
    name: 'tiny',
    convs: [
      { filters: 4, kernelSize: 3 },
      { filters: 8, kernelSize: 3 },
    ],
  },
  trainSize: 500,
  testSize: 100,
  batchSize: 50,
};

import { describe, expect, it } from 'vitest';
import { trainerConfigFromEnv } from '../src/config.js';
import { DATASET_CATALOG, datasetInputShape } from '@cam/dataset/catalog';
import { RUN_PARAM_DEFAULTS } from '@cam/queue';
import { trainOptionsFor } from '../src/processor.js';

describe('trainerConfigFromEnv', () => {
  it('has defaults that match BullMQ and the API', () => {
    expect(trainerConfigFromEnv({})).toEqual({
      redisUrl: undefined,
      artifactsUrl: './artifacts',
      scratchDir: expect.stringMatching(new RegExp(`cam-trainer-${process.pid}$`)),
      bullPrefix: 'bull',
      registryPrefix: 'cam',
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      threads: undefined,
    });
  });

  it('reads every setting from the environment', () => {
    const env = {
      REDIS_URL: 'redis://r:1',
      ARTIFACTS_URL: 's3://bucket/p',
      ARTIFACTS_DIR: '/a',
      SCRATCH_DIR: '/scratch',
      BULL_PREFIX: 'b',
      CAM_REGISTRY_PREFIX: 'c',
      LOCK_DURATION_MS: '4000',
      STALLED_INTERVAL_MS: '1000',
      TRAIN_THREADS: '1',
    };
    expect(trainerConfigFromEnv(env)).toEqual({
      redisUrl: 'redis://r:1',
      artifactsUrl: 's3://bucket/p',
      scratchDir: '/scratch',
      bullPrefix: 'b',
      registryPrefix: 'c',
      lockDurationMs: 4000,
      stalledIntervalMs: 1000,
      threads: 1,
    });
  });

  it.each(['0', '-5', '1.5', 'soon'])('rejects LOCK_DURATION_MS=%s naming the variable', (text) => {
    expect(() => trainerConfigFromEnv({ LOCK_DURATION_MS: text })).toThrow(
      `LOCK_DURATION_MS must be a positive whole number, got '${text}'`,
    );
  });
});

describe('trainOptionsFor', () => {
  it("gives a custom arch the dataset's input shape and class count", () => {
    const options = trainOptionsFor(
      { ...RUN_PARAM_DEFAULTS, dataset: 'fashion-mnist', arch: { convs: [{ filters: 4, kernelSize: 3 }] } },
      '/out',
    );
    expect(options.arch).toEqual({
      name: 'custom',
      inputShape: datasetInputShape('fashion-mnist'),
      convs: [{ filters: 4, kernelSize: 3 }],
      classes: DATASET_CATALOG['fashion-mnist'].classes,
    });
  });
});

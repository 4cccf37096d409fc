import { describe, expect, it } from 'vitest';
import { SERVICE_ENV_DEFAULTS, envInteger, envText, portFromEnv, serviceEnv } from '../src/index.js';

describe('serviceEnv', () => {
  it('has the defaults every service shares', () => {
    expect(serviceEnv({})).toEqual({
      redisUrl: undefined,
      artifactsUrl: './artifacts',
      ...SERVICE_ENV_DEFAULTS,
    });
  });

  it('reads every variable', () => {
    expect(
      serviceEnv({
        REDIS_URL: 'redis://r:1',
        BULL_PREFIX: 'b',
        CAM_REGISTRY_PREFIX: 'c',
        ARTIFACTS_DIR: '/a',
      }),
    ).toEqual({ redisUrl: 'redis://r:1', bullPrefix: 'b', registryPrefix: 'c', artifactsUrl: '/a' });
  });

  // The bug this parser fixes: the API read BULL_PREFIX with ??, the workers with ||, so BULL_PREFIX=''
  // put the API on queues '' and the workers on 'bull'.
  it('treats an empty value as unset, for every variable', () => {
    const empty = {
      REDIS_URL: '',
      BULL_PREFIX: '',
      CAM_REGISTRY_PREFIX: '',
      ARTIFACTS_URL: '',
      ARTIFACTS_DIR: '',
    };
    expect(serviceEnv(empty)).toEqual(serviceEnv({}));
    expect(envText({ X: '' }, 'X')).toBeUndefined();
    expect(envInteger({ X: '' }, 'X', { min: 1, fallback: 7 })).toBe(7);
  });
});

describe('envInteger and portFromEnv', () => {
  it('reads whole numbers in range, naming the variable otherwise', () => {
    expect(envInteger({ N: '12' }, 'N', { min: 1 })).toBe(12);
    expect(envInteger({}, 'N', { min: 1 })).toBeUndefined();
    expect(() => envInteger({ N: '0' }, 'N', { min: 1 })).toThrow(
      "N must be a positive whole number, got '0'",
    );
    expect(() => envInteger({ N: '-1' }, 'N', { min: 0 })).toThrow("N must be a whole number >= 0, got '-1'");
    expect(() => envInteger({ N: '1.5' }, 'N', { min: 0 })).toThrow(/got '1.5'/);
  });

  it('reads PORT, 3000 when unset or empty', () => {
    expect(portFromEnv({})).toBe(3000);
    expect(portFromEnv({ PORT: '' })).toBe(3000);
    expect(portFromEnv({ PORT: '8080' })).toBe(8080);
    expect(() => portFromEnv({ PORT: '70000' })).toThrow("PORT must be a whole number 1..65535, got '70000'");
  });
});

import { defineConfig } from 'vitest/config';

/** Settings every project's tests share: flat tests/ folders, generous timeouts for training tests. */
export function projectTestConfig(overrides: { testTimeout?: number } = {}) {
  return defineConfig({
    test: {
      include: ['tests/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      reporters: ['default'],
    },
  });
}

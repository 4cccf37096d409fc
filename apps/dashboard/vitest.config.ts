import { defineConfig } from 'vitest/config';
import { preactJsx } from './vite.config.js';

export default defineConfig({
  oxc: preactJsx,
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default'],
  },
});

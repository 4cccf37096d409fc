import { defineConfig } from 'vite';

/** JSX is Preact's (automatic runtime), for the build and for the tests alike. */
export const preactJsx = { jsx: { runtime: 'automatic', importSource: 'preact' } } as const;

/** Static build into dist/, served by the API at `/` (relative asset URLs). */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  oxc: preactJsx,
  // The size that matters is checked by tests/bundle-size.test.ts (gzip, initial load).
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1000 },
});

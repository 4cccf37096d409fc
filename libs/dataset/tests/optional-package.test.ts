import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR_VARIABLE, datasetMissing } from '../src/index.js';

const empty = mkdtempSync(join(tmpdir(), 'cam-no-fashion-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));
const projectDir = fileURLToPath(new URL('..', import.meta.url));
// vitest's own command-line entry, beside its package.json.
const vitest = fileURLToPath(new URL('vitest.mjs', import.meta.resolve('vitest/package.json')));

/** The sources tests in their own vitest run, with Fashion-MNIST pointed at an empty folder. */
function sourcesTestsWithoutFashionMnist(ci: boolean) {
  const env: NodeJS.ProcessEnv = { ...process.env, [FASHION_MNIST_DIR_VARIABLE]: empty };
  if (ci) env.CI = 'true';
  else delete env.CI;
  return spawnSync(process.execPath, [vitest, 'run', 'tests/sources.test.ts'], {
    cwd: projectDir,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('a missing optional package (dataset-fashion-mnist)', () => {
  it(`is found missing where ${FASHION_MNIST_DIR_VARIABLE} names an empty folder`, () => {
    const saved = process.env[FASHION_MNIST_DIR_VARIABLE];
    process.env[FASHION_MNIST_DIR_VARIABLE] = empty;
    try {
      expect(datasetMissing('fashion-mnist')).toMatch(
        /has no train-images-idx3-ubyte.*apt-get install dataset-fashion-mnist/,
      );
    } finally {
      if (saved === undefined) delete process.env[FASHION_MNIST_DIR_VARIABLE];
      else process.env[FASHION_MNIST_DIR_VARIABLE] = saved;
    }
  });

  it('skips its tests with the reason printed, and the run passes', () => {
    const run = sourcesTestsWithoutFashionMnist(false);
    const output = run.stdout + run.stderr;
    expect(output).toMatch(
      /skipping the tests that need the Debian package dataset-fashion-mnist: dataset 'fashion-mnist'/,
    );
    expect(output).toMatch(/1 skipped/);
    expect(run.status).toBe(0);
  }, 150_000);

  it('fails the run under CI=true, where every optional package must be installed', () => {
    const run = sourcesTestsWithoutFashionMnist(true);
    expect(run.stdout + run.stderr).toMatch(/CI must run the dataset-fashion-mnist tests/);
    expect(run.status).not.toBe(0);
  }, 150_000);
});

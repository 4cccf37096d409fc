import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type TrainOptions,
  type TrainResult,
  evaluate,
  initBackend,
  loadModel,
  train,
} from '../src/index.js';
import { loadTrainingSets } from '../src/training/data.js';
import { resolveTrainOptions } from '../src/training/options.js';
import { loadDataset, takeFirst, translatedSet } from '@cam/dataset';
import { onednnAddon } from '../src/kernels/onednn-addon.js';

const root = mkdtempSync(join(tmpdir(), 'cam-model-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Stops a run right after the last step of epoch `epoch`: it finishes that epoch, checkpoints, and returns. */
function stopAfterEpoch(epoch: number): Pick<TrainOptions, 'signal' | 'onProgress'> {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onProgress: (p) => {
      if (p.epoch === epoch && p.step === p.steps) controller.abort();
    },
  };
}

const withoutSeconds = (r: TrainResult) => r.metrics!.history.map(({ seconds: _, ...rest }) => rest);

describe('training', () => {
  beforeAll(() => initBackend());

  // The issue's short run: c3, 2,000 training images (1,600 after the 0.2 validation split), 2 epochs,
  // 1,000 test images, the default recipe; then the same run stopped after epoch 1 and resumed.
  // The issue asks for >= 90 % here; no recipe tried reaches it in 2 epochs (wasm: 55.2 %, PyTorch with
  // the same recipe 52-59 %; README "Short runs"), so this checks that the run clearly learns (chance: 10 %).
  const c3: TrainOptions = {
    arch: 'c3',
    dataset: 'mnist',
    trainSize: 2000,
    testSize: 1000,
    epochs: 2,
    seed: 1,
    outDir: join(root, 'c3'),
  };
  let uninterrupted: TrainResult;

  it('trains c3 on 2,000 MNIST images for 2 epochs to at least 50 % test accuracy and writes the run folder', async () => {
    const progress: number[] = [];
    uninterrupted = await train({ ...c3, onProgress: (p) => progress.push(p.step) });
    const m = uninterrupted.metrics!;
    expect(uninterrupted.status).toBe('completed');
    expect(m.testAccuracy).toBeGreaterThanOrEqual(0.5);
    expect(m.history[1]!.loss).toBeLessThan(m.history[0]!.loss);
    expect(m).toMatchObject({
      arch: 'c3',
      params: 46_800,
      dataset: 'mnist',
      epochs: 2,
      epochsRun: 2,
      trainSize: 1600,
      validationSize: 400,
      testSize: 1000,
    });
    expect(m.backend).toBe('wasm');
    // The default kernels: oneDNN's where the addon builds here, so the resume test below runs on them.
    expect(m.kernels?.set).toBe(onednnAddon().addon === undefined ? 'emitted' : 'onednn');
    expect(m.history).toHaveLength(2);
    expect(progress).toHaveLength(2 * Math.ceil(1600 / m.recipe.batchSize));
    expect(readdirSync(c3.outDir).sort()).toEqual([
      'confusion-test.csv',
      'confusion-train.csv',
      'curves.png',
      'metrics.json',
      'model.json',
      'weights.bin',
    ]);
    expect(JSON.parse(readFileSync(join(c3.outDir, 'metrics.json'), 'utf8'))).toEqual(m);
    const test = readFileSync(join(c3.outDir, 'confusion-test.csv'), 'utf8').trim().split('\n');
    expect(test).toHaveLength(11);
    const counts = test.slice(1).map((row) => row.split(',').slice(1).map(Number));
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(1000);
    expect(counts.reduce((n, row, i) => n + row[i]!, 0) / 1000).toBeCloseTo(m.testAccuracy, 10);
    expect(readFileSync(join(c3.outDir, 'curves.png')).subarray(1, 4).toString()).toBe('PNG');
    const again = await evaluate(c3.outDir, { testSize: 1000 });
    expect(again.accuracy).toBe(m.testAccuracy);
  }, 900_000);

  it('resumes a run stopped after epoch 1 to the same end, bit for bit', async () => {
    const outDir = join(root, 'c3-resumed');
    const stopped = await train({ ...c3, outDir, ...stopAfterEpoch(1) });
    expect(stopped).toMatchObject({ status: 'aborted', epochsRun: 1 });
    expect(existsSync(join(outDir, 'checkpoint', 'state.json'))).toBe(true);
    expect(existsSync(join(outDir, 'model.json'))).toBe(false);
    const resumed = await train({ ...c3, outDir });
    expect(resumed.status).toBe('completed');
    expect(resumed.metrics!.epochsRun).toBe(uninterrupted.metrics!.epochsRun);
    // Seeded init and per-epoch shuffles, an exactly restored optimizer and a deterministic backend: the
    // resumed run computes the same numbers. Only the timings (seconds, wallSeconds) differ.
    expect(withoutSeconds(resumed)).toEqual(withoutSeconds(uninterrupted));
    expect(
      readFileSync(join(outDir, 'weights.bin')).equals(readFileSync(join(c3.outDir, 'weights.bin'))),
    ).toBe(true);
    expect(resumed.metrics!.testAccuracy).toBe(uninterrupted.metrics!.testAccuracy);
    expect(existsSync(join(outDir, 'checkpoint'))).toBe(false);
  }, 900_000);
});

describe('reaching 90 % on 2,000 images', () => {
  beforeAll(() => initBackend());

  // The issue's 90 % bar, at the epoch count c3 needs for it (measured: 55 % after 2 epochs, 89 % after 8,
  // 91.8 % after 10), trained on two data-parallel worker threads as `cam train --threads 2` does.
  it('trains c3 on 2,000 MNIST images for 10 epochs on 2 threads to at least 90 % test accuracy', async () => {
    const outDir = join(root, 'c3-10-epochs');
    const result = await train({
      arch: 'c3',
      dataset: 'mnist',
      trainSize: 2000,
      testSize: 1000,
      epochs: 10,
      threads: 2,
      seed: 1,
      outDir,
    });
    expect(result.status).toBe('completed');
    expect(result.metrics!.epochsRun).toBe(10);
    expect(result.metrics!.testAccuracy).toBeGreaterThanOrEqual(0.9);
  }, 1_800_000);
});

describe('training a tiny model (options, mid-epoch resume, early stopping)', () => {
  const tiny = {
    name: 'tiny',
    inputShape: [28, 28, 1] as [number, number, number],
    convs: [{ filters: 4, kernelSize: 3 }],
    classes: 10,
  };
  const base: TrainOptions = {
    arch: tiny,
    trainSize: 120,
    testSize: 50,
    epochs: 3,
    batchSize: 20,
    optimizer: 'sgd',
    learningRate: 0.05,
    lrSchedule: { kind: 'cosine' },
    seed: 4,
    outDir: '',
  };

  it('resumes from a checkpoint taken in the middle of an epoch, bit for bit', async () => {
    const full = await train({ ...base, outDir: join(root, 'tiny-full') });
    const outDir = join(root, 'tiny-mid');
    const controller = new AbortController();
    const stopped = await train({
      ...base,
      outDir,
      signal: controller.signal,
      onProgress: (p) => p.epoch === 2 && p.step === 2 && controller.abort(),
    });
    expect(stopped).toMatchObject({ status: 'aborted', epochsRun: 1 });
    const resumed = await train({ ...base, outDir });
    expect(withoutSeconds(resumed)).toEqual(withoutSeconds(full));
    expect(
      readFileSync(join(outDir, 'weights.bin')).equals(readFileSync(join(root, 'tiny-full', 'weights.bin'))),
    ).toBe(true);
    expect(full.metrics!.history.map((h) => h.learningRate)).toEqual([
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
    ]);
    expect(full.metrics!.history[2]!.learningRate).toBeLessThan(full.metrics!.history[0]!.learningRate);
  }, 300_000);

  it('stops early after `patience` epochs without a better validation accuracy and keeps the best epoch', async () => {
    // A learning rate of 1e-9 leaves the validation accuracy where it starts: epoch 1 stays the best.
    const r = await train({
      ...base,
      learningRate: 1e-9,
      lrSchedule: undefined,
      epochs: 10,
      patience: 2,
      outDir: join(root, 'tiny-early'),
    });
    expect(r.metrics).toMatchObject({ epochs: 10, epochsRun: 3, stoppedEarly: true, keptEpoch: 1 });
  }, 300_000);

  it('refuses to resume a checkpoint with other options, and bad options, naming the field', async () => {
    const outDir = join(root, 'tiny-other');
    const controller = new AbortController();
    await train({ ...base, outDir, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(train({ ...base, seed: 5, outDir })).rejects.toThrow(
      /holds a checkpoint of a run with another seed \(4, now 5\)/,
    );
    await expect(train({ ...base, epochs: 0, outDir })).rejects.toThrow(
      /epochs: must be a positive integer, got 0/,
    );
    await expect(train({ ...base, patience: 2, validationSplit: 0, outDir })).rejects.toThrow(
      /patience: early stopping needs a validation set/,
    );
    await expect(train({ ...base, optimizer: 'rmsprop' as 'adam', outDir })).rejects.toThrow(
      /optimizer: must be one of adam, sgd/,
    );
    await expect(
      train({ ...base, lrSchedule: { kind: 'step', everyEpochs: 0, factor: 2 }, outDir }),
    ).rejects.toThrow(/lrSchedule\.everyEpochs/);
    await expect(train({ ...base, canvas: 20, outDir })).rejects.toThrow(
      /canvas: must be at least the images' side 28, got 20/,
    );
  }, 300_000);

  it('trains on translated canvases: the model takes the canvas, and its test set is translated too', async () => {
    const outDir = join(root, 'tiny-canvas');
    const result = await train({ ...base, epochs: 1, canvas: 40, outDir });
    const model = await loadModel(outDir);
    expect(model.inputs[0]!.shape).toEqual([null, 40, 40, 1]);
    model.dispose();
    expect(result.metrics!.history).toHaveLength(1);
    const r = resolveTrainOptions({ ...base, canvas: 40, outDir });
    const sets = await loadTrainingSets(r);
    const testDigits = takeFirst(await loadDataset({ dataset: 'mnist', split: 'test' }), 50);
    expect([sets.train.rows, sets.validation!.cols, sets.test.rows]).toEqual([40, 40, 40]);
    expect(sets.test.images).toEqual(translatedSet(testDigits, { canvas: 40, seed: 4 ^ 1 }).set.images);
    expect(sets.train.images).not.toEqual(sets.test.images.subarray(0, sets.train.images.length));
  }, 300_000);
});

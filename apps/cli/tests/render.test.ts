import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeNpy, decodePng } from '@cam/cam';
import { loadDataset } from '@cam/dataset';
import { saveModel } from '@cam/model';
import { createArtifactStore, uploadFolder } from '@cam/storage';
import { S3rverProcess } from '@cam/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIndices, runRender } from '../src/commands/render.js';
import { UsageError } from '../src/flags.js';

const root = mkdtempSync(join(tmpdir(), 'cam-cli-render-'));
const camModelDir = join(root, 'cam-model');
const biasModelDir = join(root, 'bias-model');

/** A small untrained model of the project's structure; with `bias` its dense layer breaks the CAM structure. */
function model(bias: boolean): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(
    tf.layers.dense({
      units: 10,
      useBias: bias,
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    }),
  );
  m.add(tf.layers.activation({ activation: 'softmax' }));
  return m;
}

async function render(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runRender(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/** The `cam` command itself, as users run it. */
function cam(args: string[]) {
  const bin = join(import.meta.dirname, '../../../bin/cam.mjs');
  return spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CAM_BACKEND: 'cpu' },
  });
}

beforeAll(async () => {
  process.env.CAM_BACKEND = 'cpu';
  await tf.setBackend('cpu');
  await saveModel(model(false), camModelDir);
  await saveModel(model(true), biasModelDir);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('cam render', () => {
  it('writes item PNGs, montage.png, cams.npy and manifest.json for MNIST test images', async () => {
    const out = join(root, 'out');
    const { code, stdout, stderr } = await render([
      '--model',
      camModelDir,
      '--dataset',
      'mnist',
      '--split',
      'test',
      '--indices',
      '0-3,9',
      '--method',
      'cam',
      '--target',
      'label',
      '--colormap',
      'viridis',
      '--size',
      '56',
      '--alpha',
      '0.8',
      '--out',
      out,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/8 files in/);
    const test = await loadDataset({ split: 'test' });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.items.map((m: { index: number }) => m.index)).toEqual([0, 1, 2, 3, 9]);
    expect(manifest.items.map((m: { label: number }) => m.label)).toEqual(
      [0, 1, 2, 3, 9].map((i) => test.labels[i]),
    );
    expect(manifest.items.map((m: { target: number }) => m.target)).toEqual([7, 2, 1, 0, 9]);
    for (const item of manifest.items) expect(decodePng(readFileSync(join(out, item.png))).width).toBe(56);
    expect(decodeNpy(readFileSync(join(out, 'cams.npy'))).shape).toEqual([5, 28, 28]);
    expect(existsSync(join(out, 'montage.png'))).toBe(true);
  });

  it.each([
    [
      ['--method', 'gradcam3'],
      /--method: must be one of cam, gradcam, gradcampp, hirescam, scorecam, xgradcam, layercam, eigencam, ablationcam, got 'gradcam3'/,
    ],
    [
      ['--method', 'layercam', '--layer', 'nope'],
      /--layer 'nope' is not a conv layer of this model \(one of /,
    ],
    [['--colormap', 'hot'], /--colormap: must be one of jet, turbo, viridis, inferno, gray, got 'hot'/],
    [['--indices', '9998-10000'], /--indices: 10000 is out of range \(the split has 10000 images/],
    [['--indices', 'a-b'], /--indices: 'a-b' is not an index/],
    [['--size', '20'], /--size: must be an integer from 28 to 896/],
    [['--size', '100.5'], /--size: must be an integer/],
    [['--alpha', 'x'], /--alpha: 'x' is not a number/],
    [['--target', '12'], /--target must be predicted, label, all or a class from 0 to 9/],
    [['--normalise', 'log'], /--normalise: must be one of minmax, fixed, percentile/],
    [['--range=-250'], /--range: expected two numbers/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('rejects bad flags %j as usage errors naming the flag', async (flags, message) => {
    const call = render(['--model', camModelDir, '--out', join(root, 'bad'), ...flags]);
    await expect(call).rejects.toThrow(UsageError);
    await expect(call).rejects.toThrow(message);
  });

  it('renders a model read from an S3 bucket (--model s3://) exactly as from its folder', async () => {
    const s3 = await S3rverProcess.start('cli-models');
    try {
      Object.assign(process.env, s3.env());
      const store = createArtifactStore();
      await uploadFolder(store, camModelDir, 'runs/r1');
      const flags = ['--indices', '0-3', '--size', '56'];
      const fromFolder = join(root, 'out-folder');
      const fromBucket = join(root, 'out-bucket');
      expect((await render(['--model', camModelDir, '--out', fromFolder, ...flags])).code).toBe(0);
      const run = await render(['--model', `s3://${s3.bucket}/runs/r1`, '--out', fromBucket, ...flags]);
      expect(run.code, run.stderr).toBe(0);
      for (const name of ['cams.npy', 'montage.png', 'manifest.json'])
        expect(readFileSync(join(fromBucket, name)).equals(readFileSync(join(fromFolder, name))), name).toBe(
          true,
        );
      await expect(
        render(['--model', `s3://${s3.bucket}/runs/none`, '--out', join(root, 'bad')]),
      ).rejects.toThrow(/--model: artifact "runs\/none\/model.json" not found/);
    } finally {
      for (const name of Object.keys(s3.env())) delete process.env[name];
      await s3.close();
    }
  });

  it('rejects a missing model folder and a model without the CAM structure', async () => {
    await expect(render(['--model', join(root, 'nowhere'), '--out', join(root, 'bad')])).rejects.toThrow(
      /--model: no model.json in .*nowhere/,
    );
    await expect(render(['--model', biasModelDir, '--out', join(root, 'bad')])).rejects.toThrow(
      /--model: not a CAM model: Dense .* has a bias/,
    );
    expect(existsSync(join(root, 'bad'))).toBe(false);
  });

  it('exits 2 with the message and usage through bin/cam.mjs', () => {
    const run = cam(['render', '--model', biasModelDir, '--out', join(root, 'bad')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/cam render: --model: not a CAM model/);
    expect(run.stderr).toMatch(/usage: cam render --model DIR --out DIR/);
  });

  it('parses index lists', () => {
    expect(parseIndices('0-3,7, 9', 10)).toEqual([0, 1, 2, 3, 7, 9]);
    expect(() => parseIndices('5-2', 10)).toThrow(/backwards/);
    expect(() => parseIndices('10', 10)).toThrow(/out of range/);
  });
});

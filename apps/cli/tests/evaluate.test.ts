import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodePng } from '@cam/cam';
import { saveModel } from '@cam/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluate } from '../src/commands/evaluate.js';
import { UsageError } from '../src/flags.js';

const root = mkdtempSync(join(tmpdir(), 'cam-cli-evaluate-'));
const modelDir = join(root, 'model');

/** A small untrained model of the project's structure with two convs (conv_1, conv_2). */
function model(): tf.LayersModel {
  const m = tf.sequential();
  const conv = (name: string, filters: number, seed: number, first = false) =>
    tf.layers.conv2d({
      name,
      ...(first ? { inputShape: [28, 28, 1] } : {}),
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    });
  m.add(conv('conv_1', 3, 1, true));
  m.add(conv('conv_2', 4, 2));
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(
    tf.layers.dense({
      units: 10,
      useBias: false,
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  m.add(tf.layers.activation({ activation: 'softmax' }));
  return m;
}

async function evaluate(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runEvaluate(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  process.env.CAM_BACKEND = 'cpu';
  await tf.setBackend('cpu');
  await saveModel(model(), modelDir);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('cam evaluate', () => {
  it('prints the table, writes evaluation.json, the table and the curves PNG', async () => {
    const out = join(root, 'out');
    const { code, stdout, stderr } = await evaluate([
      ...['--model', modelDir, '--out', out, '--methods', 'gradcam,layercam', '--layer', 'conv_1'],
      ...['--count', '6', '--steps', '4', '--sanity-count', '2', '--canvas', '36'],
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/first 6 images .* layer conv_1, 4 deletion steps, canvases 6/);
    for (const name of ['gradcam', 'layercam', 'random map', 'centred blob'])
      expect(stdout).toMatch(new RegExp(`^\\| ${name} \\| `, 'm'));
    expect(stderr.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(4);
    const report = JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8'));
    expect(report.rows.map((r: { name: string }) => r.name)).toEqual([
      'gradcam',
      'layercam',
      'random map',
      'centred blob',
    ]);
    expect(report.rows[2].sanity.flagged).toBe(true);
    for (const row of report.rows) {
      for (const key of [
        'deletionAuc',
        'insertionAuc',
        'averageDrop',
        'increaseInConfidence',
        'road',
        'pointingGame',
        'localizationAccuracy',
      ])
        expect(Number.isFinite(row[key])).toBe(true);
      expect(row.sanity.steps.map((s: { layer: string }) => s.layer).slice(1)).toEqual(['conv_2', 'conv_1']);
    }
    expect(report.curves[0].deletion).toHaveLength(5);
    expect(readFileSync(join(out, 'evaluation.md'), 'utf8')).toMatch(/^\| method \| deletion AUC/);
    expect(decodePng(readFileSync(join(out, 'curves.png'))).width).toBeGreaterThan(600);
  });

  it.each([
    [['--methods', 'cam,lime'], /--methods: 'lime' is not a method/],
    [
      ['--methods', 'cam', '--layer', 'conv_1'],
      /--layer: method 'cam' is defined on the last conv layer only/,
    ],
    [['--layer', 'conv_9'], /--layer 'conv_9' is not a conv layer of this model/],
    [['--count', '0'], /--count: must be at least 1/],
    [['--count', '10001'], /--count: must be an integer from 1 to 10000/],
    [['--steps', 'x'], /--steps: 'x' is not a number/],
  ])('rejects %j as a usage error naming the flag', async (flags, message) => {
    const call = evaluate(['--model', modelDir, '--out', join(root, 'bad'), '--count', '2', ...flags]);
    await expect(call).rejects.toThrow(UsageError);
    await expect(call).rejects.toThrow(message);
  });
});

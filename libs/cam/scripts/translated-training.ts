/**
 * Does training on translated canvases raise weakly supervised localization? Trains the same recipe twice, on the
 * digits as they are and on digits pasted at seeded random positions on canvas x canvas squares (c3 is fully
 * convolutional, so the same network takes either), then scores both on the same translated test canvases:
 *   npx tsx libs/cam/scripts/translated-training.ts --out runs/translated [--canvas 64] [--train-size 12000]
 *     [--epochs 2] [--batch-size 16] [--lr 0.002] [--seed 1] [--threads 2] [--count 500] [--methods cam,...]
 * Prints a table and one JSON line per row.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset, takeFirst, translatedSet } from '@cam/dataset';
import { loadModel, train } from '@cam/model';
import { camMethod, localizationReport } from '../src/index.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    canvas: { type: 'string', default: '64' },
    'train-size': { type: 'string', default: '12000' },
    epochs: { type: 'string', default: '2' },
    'batch-size': { type: 'string', default: '16' },
    lr: { type: 'string', default: '0.002' },
    seed: { type: 'string', default: '1' },
    threads: { type: 'string', default: '2' },
    count: { type: 'string', default: '500' },
    methods: { type: 'string', default: 'cam,gradcam,gradcampp,hirescam' },
  },
});
if (!values.out) throw new Error('--out DIR is required');
const canvas = Number(values.canvas);
const seed = Number(values.seed);
const methods = values.methods.split(',').map((name) => camMethod(name).name as 'cam');
const count = Number(values.count);

const test = takeFirst(await loadDataset({ dataset: 'mnist', split: 'test' }), count);
// The canvases scored here are drawn with another seed than the ones a translated model trains and tests on.
const { set, boxes } = translatedSet(test, { canvas, seed: seed + 100 });

const rows = [];
for (const training of [
  { name: 'digits as they are', canvas: undefined },
  { name: `${canvas}x${canvas} canvases`, canvas },
]) {
  const outDir = join(values.out, training.canvas === undefined ? 'plain' : `canvas-${canvas}`);
  const started = performance.now();
  const result = await train({
    arch: 'c3',
    trainSize: Number(values['train-size']),
    testSize: 1000,
    epochs: Number(values.epochs),
    batchSize: Number(values['batch-size']),
    learningRate: Number(values.lr),
    seed,
    threads: Number(values.threads),
    canvas: training.canvas,
    outDir,
    log: (line) => console.error(`[${training.name}] ${line}`),
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const model = await loadModel(outDir);
  for (const row of await localizationReport(model, set, boxes, { methods })) {
    rows.push({
      trainedOn: training.name,
      method: row.name,
      accuracy: row.accuracy,
      meanIou: row.meanIou,
      testAccuracy: result.metrics?.testAccuracy ?? null,
      trainSeconds: Math.round(trainSeconds),
    });
  }
  model.dispose();
}
console.log(
  `translated MNIST test, first ${set.count} digits on ${canvas}x${canvas} canvases (seed ${seed + 100}); c3, ` +
    `${values['train-size']} training images, ${values.epochs} epochs, batch ${values['batch-size']}, lr ${values.lr}`,
);
console.log(
  '| trained on | method | localization accuracy (IoU >= 0.5) | mean IoU | test accuracy (own test set) | training s |\n|---|---|---|---|---|---|',
);
for (const r of rows)
  console.log(
    `| ${r.trainedOn} | ${r.method} | ${(100 * r.accuracy).toFixed(1)} % | ${r.meanIou.toFixed(3)} | ${r.testAccuracy === null ? '-' : `${(100 * r.testAccuracy).toFixed(2)} %`} | ${r.trainSeconds} |`,
  );
for (const r of rows) console.log(JSON.stringify({ ...r, count: set.count, canvas, seed }));

/**
 * Weakly supervised localization on translated MNIST (Zhou et al. 2016, Section 3):
 *   npx tsx libs/cam/scripts/localization.ts --model DIR [--count 1000] [--canvas 64] [--seed 1] [--methods cam,gradcam,gradcampp]
 * Prints a table and one JSON line per row.
 */
import { parseArgs } from 'node:util';
import { loadDataset, takeFirst, translatedSet } from '@cam/dataset';
import { initBackend, loadModel } from '@cam/model';
import { camMethod, localizationReport } from '../src/index.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    dataset: { type: 'string', default: 'mnist' },
    count: { type: 'string', default: '1000' },
    canvas: { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    methods: { type: 'string', default: 'cam,gradcam,gradcampp' },
  },
});
if (!values.model) throw new Error('--model DIR is required');
const methods = values.methods.split(',').map((name) => camMethod(name).name as 'cam');
const { backend } = await initBackend();
const model = await loadModel(values.model);
const test = takeFirst(await loadDataset({ dataset: values.dataset, split: 'test' }), Number(values.count));
const { set, boxes } = translatedSet(test, { canvas: Number(values.canvas), seed: Number(values.seed) });
const started = performance.now();
const rows = await localizationReport(model, set, boxes, { methods });
console.log(
  `translated ${values.dataset} test, first ${set.count} images on ${set.cols}x${set.rows} canvases, seed ${values.seed}, backend ${backend}, ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
console.log('| method | localization accuracy (IoU >= 0.5) | mean IoU |\n|---|---|---|');
for (const row of rows)
  console.log(`| ${row.name} | ${(row.accuracy * 100).toFixed(1)} % | ${row.meanIou.toFixed(3)} |`);
for (const row of rows)
  console.log(JSON.stringify({ ...row, count: set.count, canvas: set.cols, seed: Number(values.seed) }));

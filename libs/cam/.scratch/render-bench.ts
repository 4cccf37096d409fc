import * as tf from '@tensorflow/tfjs';
import { initBackend, loadModel } from '@cam/model';
import { imageAt, loadDataset } from '@cam/dataset';
import { cachedCamHead, renderCamBatch, computeMaps } from '../src/index.js';
const { backend } = await initBackend();
const model = await loadModel('/tmp/cam-eng/c3-6k');
const set = await loadDataset({ split: 'test' });
const n = 256, B = 128;
const items = Array.from({ length: n }, (_, i) => ({ image: imageAt(set, i), index: i, label: set.labels[i] }));
await renderCamBatch(model, items.slice(0, B), { montage: false, batchSize: B });
let t = performance.now();
await renderCamBatch(model, items, { montage: false, batchSize: B });
const render = (performance.now() - t) / 1000;
const xsAll = tf.tensor4d(Float32Array.from(items.flatMap((it) => Array.from(it.image, (v) => v / 255))), [n, 28, 28, 1]);
t = performance.now();
for (let s = 0; s < n; s += B) { const xs = xsAll.slice([s, 0, 0, 0], [B, -1, -1, -1]); const [f, l] = cachedCamHead(model).features.predict(xs, { batchSize: B }) as tf.Tensor[]; await l.data(); tf.dispose([f, l, xs]); }
const infer = (performance.now() - t) / 1000;
t = performance.now();
for (let s = 0; s < n; s += B) { const xs = xsAll.slice([s, 0, 0, 0], [B, -1, -1, -1]); await computeMaps(model, xs); xs.dispose(); }
const maps = (performance.now() - t) / 1000;
console.log(backend, `render ${(n / render).toFixed(0)} img/s, infer-only ${(n / infer).toFixed(0)} img/s, computeMaps ${(n / maps).toFixed(0)} img/s, outside inference ${(100 * (1 - infer / render)).toFixed(0)}%`);

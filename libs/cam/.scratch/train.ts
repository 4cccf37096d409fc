import { train } from '@cam/model';
const started = Date.now();
const result = await train({ arch: 'c3', trainSize: 12000, testSize: 1000, epochs: 2, batchSize: 16, learningRate: 2e-3, seed: 1, outDir: '/tmp/cam-eng/c3-12k', threads: 1,
  onProgress: (p) => { if (p.step % 100 === 0) console.log(JSON.stringify(p)); } });
console.log(result.status, result.metrics?.testAccuracy, (Date.now() - started) / 1000, 's');

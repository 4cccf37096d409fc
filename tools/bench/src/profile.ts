/**
 * Per-kernel CPU time of c3 training steps (or, with --render, of the render-cam case's renderCamBatch)
 * on the wasm backend: `npx tsx tools/bench/src/profile.ts [--batch 128] [--steps 3] [--shapes] [--render]`.
 * Wraps every registered wasm kernel with a timer on process CPU time (less disturbed than wall time
 * on a shared machine); a kernel that calls others is charged for them too (e.g. BatchMatMul inside
 * Conv2DBackpropFilter), so rows overlap and the total exceeds the step time.
 */
import * as tf from '@tensorflow/tfjs';
import { renderCamBatch } from '@cam/cam';
import {
  Adam,
  applyGradients,
  buildModel,
  computeGradients,
  initBackend,
  gradientTargetOf,
} from '@cam/model';
import { numberFlag } from './options.js';

const flag = (name: string, fallback: number): number => numberFlag(process.argv, name, fallback);

const batch = flag('--batch', 128);
const steps = flag('--steps', 3);
const withShapes = process.argv.includes('--shapes');
const render = process.argv.includes('--render');
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

await initBackend('wasm');
const totals = new Map<string, { ms: number; calls: number }>();
let recording = false;
for (const config of tf.getKernelsForBackend('wasm')) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      if (!recording) return inner(args);
      const start = cpuMs();
      const out = inner(args);
      const shapes = Object.values(args.inputs).map((t) => [
        (t as tf.TensorInfo | undefined)?.shape,
        (t as tf.TensorInfo | undefined)?.dtype,
      ]);
      const key = withShapes ? `${config.kernelName} ${JSON.stringify(shapes)}` : config.kernelName;
      const entry = totals.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += cpuMs() - start;
      entry.calls++;
      totals.set(key, entry);
      return out;
    },
  });
}

const model = buildModel('c3', { seed: 1 });
const target = gradientTargetOf(model);
const optimizer = new Adam(target.variables, 1e-3);
const xs = tf.randomUniform([batch, 28, 28, 1]) as tf.Tensor4D;
const labels = tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D;
const items = Array.from({ length: batch }, (_, index) => ({
  index,
  image: Uint8Array.from({ length: 28 * 28 }, () => Math.floor(Math.random() * 256)),
}));
const step = async (): Promise<void> => {
  if (render) await renderCamBatch(model, items, { size: 112, batchSize: batch, montage: false });
  else applyGradients(optimizer, computeGradients(target, xs, labels).grads);
};
// Two warm-up steps: the wasm heap grows to its steady size during the second one.
await step();
await step();
recording = true;
const wallStart = performance.now();
const cpuStart = cpuMs();
for (let i = 0; i < steps; i++) await step();
const wall = (performance.now() - wallStart) / steps;
const cpu = (cpuMs() - cpuStart) / steps;
console.log(
  `c3 ${render ? 'renderCamBatch (112 px overlays)' : 'training step'}, batch ${batch}: wall ${wall.toFixed(0)} ms (${((batch / wall) * 1000).toFixed(1)} images/s), ` +
    `process CPU ${cpu.toFixed(0)} ms (${((batch / cpu) * 1000).toFixed(1)} images/s of CPU time)`,
);
console.log('CPU ms/step  calls/step  kernel');
for (const [key, { ms, calls }] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 24)) {
  console.log(`${(ms / steps).toFixed(1).padStart(11)}  ${String(calls / steps).padStart(10)}  ${key}`);
}

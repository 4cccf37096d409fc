/**
 * Per-kernel CPU time of c3 training steps on the wasm backend:
 * `npx tsx tools/bench/src/profile.ts [--batch 128] [--steps 3] [--shapes]`.
 * Wraps every registered wasm kernel with a timer on process CPU time (less disturbed than wall time
 * on a shared machine); a kernel that calls others is charged for them too (e.g. BatchMatMul inside
 * Conv2DBackpropFilter), so rows overlap and the total exceeds the step time.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '@cam/model';
import { c3Model } from './c3.js';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const batch = flag('--batch', 128);
const steps = flag('--steps', 3);
const withShapes = process.argv.includes('--shapes');
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

registerWasmTrainingKernels();
await tf.setBackend('wasm');
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
      const shapes = Object.values(args.inputs).map((t) => (t as tf.TensorInfo | undefined)?.shape);
      const key = withShapes ? `${config.kernelName} ${JSON.stringify(shapes)}` : config.kernelName;
      const entry = totals.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += cpuMs() - start;
      entry.calls++;
      totals.set(key, entry);
      return out;
    },
  });
}

const model = c3Model(1);
const logitsModel = tf.model({ inputs: model.inputs, outputs: model.getLayer('logits').output });
const optimizer = tf.train.adam(1e-3);
const xs = tf.randomUniform([batch, 28, 28, 1]);
const oneHot = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
const step = () => {
  optimizer.minimize(() => tf.losses.softmaxCrossEntropy(oneHot, logitsModel.apply(xs) as tf.Tensor) as tf.Scalar);
};
step();
recording = true;
const wallStart = performance.now();
const cpuStart = cpuMs();
for (let i = 0; i < steps; i++) step();
const wall = (performance.now() - wallStart) / steps;
const cpu = (cpuMs() - cpuStart) / steps;
console.log(`c3 training step, batch ${batch}: wall ${wall.toFixed(0)} ms (${((batch / wall) * 1000).toFixed(1)} images/s), ` +
  `process CPU ${cpu.toFixed(0)} ms (${((batch / cpu) * 1000).toFixed(1)} images/s of CPU time)`);
console.log('CPU ms/step  calls/step  kernel');
for (const [key, { ms, calls }] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 24)) {
  console.log(`${(ms / steps).toFixed(1).padStart(11)}  ${String(calls / steps).padStart(10)}  ${key}`);
}

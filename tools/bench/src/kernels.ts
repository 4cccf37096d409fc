/**
 * GFLOP/s of the project's wasm kernels on c3's shapes against the stock tfjs-backend-wasm kernels they
 * replace, side by side in one process: `npx tsx tools/bench/src/kernels.ts [--batch 32] [--reps 10]`.
 * Each figure is the best of `reps` calls (load from elsewhere only slows a call down). Prints a table,
 * then one JSON line per kernel and shape.
 */
import * as tf from '@tensorflow/tfjs';
// The stock kernels are registered when the package loads; they are taken before ours replace them.
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from '@cam/model';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const batch = flag('--batch', 32);
const reps = flag('--reps', 10);

function stockKernel(name: string): tf.KernelFunc {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`tfjs-backend-wasm has no ${name} kernel`);
  return kernel.kernelFunc;
}
const stock = { Conv2D: stockKernel('Conv2D'), BatchMatMul: stockKernel('BatchMatMul') };
registerWasmKernels();
await tf.setBackend('wasm');
const backend = tf.backend();

/** Best milliseconds of `reps` calls of `run` (wasm kernels are done when they return), after one untimed call. */
function bestMs(run: () => tf.TensorInfo): number {
  let best = Infinity;
  for (let i = 0; i < reps + 1; i++) {
    const start = performance.now();
    const out = run();
    const ms = performance.now() - start;
    backend.disposeData(out.dataId);
    if (i > 0) best = Math.min(best, ms); // the first call compiles (ours) or packs (XNNPACK)
  }
  return best;
}

interface Row {
  kernel: string;
  shape: string;
  gflop: number;
  ours_ms: number;
  stock_ms: number | null;
}
const rows: Row[] = [];
const same = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };

for (const [inC, outC] of [
  [1, 16],
  [16, 16],
  [16, 256],
  [256, 16],
] as const) {
  const x = tf.randomNormal([batch, 28, 28, inC]);
  const filter = tf.randomNormal([3, 3, inC, outC]);
  const gflop = (2 * batch * 28 * 28 * 9 * inC * outC) / 1e9;
  const inputs = { x, filter };
  const conv = (kernelFunc: tf.KernelFunc) => () =>
    kernelFunc({ inputs, backend, attrs: same }) as tf.TensorInfo;
  rows.push({
    kernel: 'Conv2D',
    shape: `${inC}->${outC}`,
    gflop,
    ours_ms: bestMs(conv(tf.getKernel('Conv2D', 'wasm')!.kernelFunc)),
    stock_ms: bestMs(conv(stock.Conv2D)),
  });
  if (inC % 4 === 0) {
    const dy = tf.randomNormal([batch, 28, 28, outC]);
    const filterGrad = tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc;
    rows.push({
      kernel: 'Conv2DBackpropFilter',
      shape: `${inC}->${outC}`,
      gflop,
      ours_ms: bestMs(
        () =>
          filterGrad({
            inputs: { x, dy },
            backend,
            attrs: { ...same, filterShape: [3, 3, inC, outC] },
          }) as tf.TensorInfo,
      ),
      stock_ms: null, // tfjs-backend-wasm 4.22 has none
    });
    dy.dispose();
  }
  tf.dispose([x, filter]);
}

const features = tf.randomNormal([batch, 784, 256]);
const weights = tf.randomNormal([batch, 1, 256]);
const product = (kernelFunc: tf.KernelFunc, b: tf.Tensor, transposeB: boolean) => () =>
  kernelFunc({
    inputs: { a: features, b },
    backend,
    attrs: { transposeA: false, transposeB },
  }) as tf.TensorInfo;
const weightsColumn = weights.reshape([batch, 256, 1]);
rows.push({
  kernel: 'BatchMatMul (CAM weighted sum)',
  shape: `[${batch},784,256] x [${batch},256,1]`,
  gflop: (2 * batch * 784 * 256) / 1e9,
  ours_ms: bestMs(product(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc, weights, true)),
  stock_ms: bestMs(product(stock.BatchMatMul, weightsColumn, false)),
});

const rate = (gflop: number, ms: number | null) => (ms === null ? '' : (gflop / (ms / 1000)).toFixed(1));
console.log(`wasm kernels, batch ${batch}, best of ${reps} calls (GFLOP/s)`);
console.log('kernel                          shape                         ours  stock  ours/stock');
for (const r of rows) {
  const ratio = r.stock_ms === null ? '' : (r.stock_ms / r.ours_ms).toFixed(2);
  console.log(
    `${r.kernel.padEnd(32)}${r.shape.padEnd(28)}${rate(r.gflop, r.ours_ms).padStart(6)}${rate(r.gflop, r.stock_ms).padStart(7)}${ratio.padStart(12)}`,
  );
}
for (const r of rows) {
  console.log(
    JSON.stringify({
      kernel: r.kernel,
      shape: r.shape,
      batch,
      ours_gflop_per_s: Number(rate(r.gflop, r.ours_ms)),
      stock_gflop_per_s: r.stock_ms === null ? null : Number(rate(r.gflop, r.stock_ms)),
    }),
  );
}

/**
 * GFLOP/s of the project's kernels on c3's shapes, side by side in one process: oneDNN's through the native
 * addon (where it loads), the emitted wasm kernels, and the stock tfjs-backend-wasm kernels they replace:
 * `npx tsx tools/bench/src/kernels.ts [--batch 32] [--reps 10]`.
 * Each figure is the best of `reps` calls (load from elsewhere only slows a call down). Prints a table,
 * then one JSON line per kernel and shape.
 */
import * as tf from '@tensorflow/tfjs';
// The stock kernels are registered when the package loads; they are taken before ours replace them.
import '@tensorflow/tfjs-backend-wasm';
import { ONEDNN_KERNELS, onednnAddon, registerWasmKernels } from '@cam/model';
import { describeMachine, machineLine } from './machine.js';
import { numberFlag } from './options.js';

const flag = (name: string, fallback: number): number => numberFlag(process.argv, name, fallback);

const batch = flag('--batch', 32);
const reps = flag('--reps', 10);

function stockKernel(name: string): tf.KernelFunc {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`tfjs-backend-wasm has no ${name} kernel`);
  return kernel.kernelFunc;
}
const stock = {
  Conv2D: stockKernel('Conv2D'),
  Conv2DBackpropInput: stockKernel('Conv2DBackpropInput'),
  BatchMatMul: stockKernel('BatchMatMul'),
};
registerWasmKernels('emitted');
await tf.setBackend('wasm');
const backend = tf.backend();
const { addon } = onednnAddon();
const refuse = (name: string) => () => {
  throw new Error(`the oneDNN ${name} kernel fell back on a c3 shape`);
};
/** oneDNN's kernel for `name`, refusing to fall back, or undefined without the addon. */
const onednn = (name: string): tf.KernelFunc | undefined =>
  addon === undefined ? undefined : ONEDNN_KERNELS[name]!(addon, refuse(name));

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
  onednn_ms: number | null;
  ours_ms: number;
  stock_ms: number | null;
}
const bestMsOf = (run: (() => tf.TensorInfo) | undefined): number | null =>
  run === undefined ? null : bestMs(run);
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
  const onednnConv = onednn('Conv2D');
  rows.push({
    kernel: 'Conv2D',
    shape: `${inC}->${outC}`,
    gflop,
    onednn_ms: bestMsOf(onednnConv && conv(onednnConv)),
    ours_ms: bestMs(conv(tf.getKernel('Conv2D', 'wasm')!.kernelFunc)),
    stock_ms: bestMs(conv(stock.Conv2D)),
  });
  const dy = tf.randomNormal([batch, 28, 28, outC]);
  const filterGrad = (kernelFunc: tf.KernelFunc) => () =>
    kernelFunc({
      inputs: { x, dy },
      backend,
      attrs: { ...same, filterShape: [3, 3, inC, outC] },
    }) as tf.TensorInfo;
  const onednnFilterGrad = onednn('Conv2DBackpropFilter');
  rows.push({
    kernel: 'Conv2DBackpropFilter',
    shape: `${inC}->${outC}`,
    gflop,
    onednn_ms: bestMsOf(onednnFilterGrad && filterGrad(onednnFilterGrad)),
    ours_ms: bestMs(filterGrad(tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc)),
    stock_ms: null, // tfjs-backend-wasm 4.22 has none
  });
  if (inC > 1) {
    // dx of this layer (the first layer's is never computed in training).
    const inputGrad = (kernelFunc: tf.KernelFunc) => () =>
      kernelFunc({
        inputs: { dy, filter },
        backend,
        attrs: { ...same, inputShape: [batch, 28, 28, inC] },
      }) as tf.TensorInfo;
    const onednnInputGrad = onednn('Conv2DBackpropInput');
    rows.push({
      kernel: 'Conv2DBackpropInput',
      shape: `${inC}->${outC}`,
      gflop,
      onednn_ms: bestMsOf(onednnInputGrad && inputGrad(onednnInputGrad)),
      ours_ms: bestMs(inputGrad(tf.getKernel('Conv2DBackpropInput', 'wasm')!.kernelFunc)),
      stock_ms: bestMs(inputGrad(stock.Conv2DBackpropInput)),
    });
  }
  dy.dispose();
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
  onednn_ms: null,
  ours_ms: bestMs(product(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc, weights, true)),
  stock_ms: bestMs(product(stock.BatchMatMul, weightsColumn, false)),
});

const rate = (gflop: number, ms: number | null) => (ms === null ? '' : (gflop / (ms / 1000)).toFixed(1));
console.log(machineLine(describeMachine(addon?.info())));
console.log(
  `kernels, batch ${batch}, best of ${reps} calls (GFLOP/s); emitted/stock and oneDNN/emitted are speed ratios`,
);
console.log(
  'kernel                          shape                     oneDNN  emitted  stock  emitted/stock  oneDNN/emitted',
);
for (const r of rows) {
  const ratio = (slow: number | null, fast: number | null) =>
    slow === null || fast === null ? '' : (slow / fast).toFixed(2);
  console.log(
    `${r.kernel.padEnd(32)}${r.shape.padEnd(24)}${rate(r.gflop, r.onednn_ms).padStart(8)}${rate(r.gflop, r.ours_ms).padStart(9)}${rate(r.gflop, r.stock_ms).padStart(7)}${ratio(r.stock_ms, r.ours_ms).padStart(15)}${ratio(r.ours_ms, r.onednn_ms).padStart(16)}`,
  );
}
for (const r of rows) {
  console.log(
    JSON.stringify({
      kernel: r.kernel,
      shape: r.shape,
      batch,
      onednn_gflop_per_s: r.onednn_ms === null ? null : Number(rate(r.gflop, r.onednn_ms)),
      emitted_gflop_per_s: Number(rate(r.gflop, r.ours_ms)),
      stock_gflop_per_s: r.stock_ms === null ? null : Number(rate(r.gflop, r.stock_ms)),
    }),
  );
}

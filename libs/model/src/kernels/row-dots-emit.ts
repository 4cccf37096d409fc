import {
  addTo,
  cachedInstance,
  countedLoop,
  Locals,
  op,
  reductionLoop,
  sumOf,
  type WasmFunction,
  type WasmMemory,
} from './wasm-module.js';

const F32 = 4;

/**
 * rowDots(a, b, out, batches, rows, columns): out[n, r, t] = sum over k < depth of a[n, r, k] * b[n, t, k],
 * a matrix times a few columns per batch (as CAM's channel-weighted sums of features), with the columns
 * stored as rows of b. `depth` is the emitted function's constant, a multiple of 4.
 */
function rowDotsFunction(depth: number): WasmFunction {
  const [a, b, out, batches, rows, columns] = [0, 1, 2, 3, 4, 5];
  const locals = new Locals(6);
  const { n, r, t, k, aRow, bBatch, bRow, p, q } = locals.named('i32', [
    'n',
    'r',
    't',
    'k',
    'aRow',
    'bBatch',
    'bRow',
    'p',
    'q',
  ]);
  const acc = locals.add('v128');
  const rowBytes = depth * F32;
  const dot = [
    ...op.v128Zero,
    ...op.localSet(acc),
    ...sumOf(p, aRow, 0),
    ...sumOf(q, bRow, 0),
    ...reductionLoop(
      k,
      depth / 4,
      [
        ...op.localGet(acc),
        ...op.localGet(p),
        ...op.v128Load(0),
        ...op.localGet(q),
        ...op.v128Load(0),
      ].concat(op.f32x4Mul, op.f32x4Add, op.localSet(acc)),
      [
        [p, 16],
        [q, 16],
      ],
    ),
    // out[...] = the sum of acc's four lanes
    ...op.localGet(out),
    ...[0, 1, 2, 3].flatMap((lane) => [...op.localGet(acc), ...op.f32x4ExtractLane(lane)]),
    ...op.f32Add,
    ...op.f32Add,
    ...op.f32Add,
    ...op.f32Store(0),
    ...addTo(out, F32),
    ...addTo(bRow, rowBytes),
  ];
  const body = [
    ...sumOf(aRow, a, 0),
    ...sumOf(bBatch, b, 0),
    ...countedLoop(n, { local: batches }, [
      ...countedLoop(r, { local: rows }, [
        ...sumOf(bRow, bBatch, 0),
        ...countedLoop(t, { local: columns }, dot),
        ...addTo(aRow, rowBytes),
      ]),
      // The next batch's columns start where this batch's last row left bRow.
      ...sumOf(bBatch, bRow, 0),
    ]),
  ];
  return { name: 'rowDots', params: 6, locals: locals.types, body };
}

export interface RowDotsKernel {
  rowDots(a: number, b: number, out: number, batches: number, rows: number, columns: number): void;
}

/** The rowDots kernel for `depth` (a multiple of 4) over `memory`, emitted on first use and cached. */
export function rowDotsKernel(memory: WasmMemory, depth: number): RowDotsKernel {
  return cachedInstance(memory, `rowDots ${depth}`, () => [rowDotsFunction(depth)]) as RowDotsKernel;
}

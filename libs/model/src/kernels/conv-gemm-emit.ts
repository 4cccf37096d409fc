import {
  addTo,
  cachedInstance,
  countedLoop,
  Locals,
  offsetBy,
  op,
  reductionLoop,
  sumOf,
  type WasmFunction,
  type WasmMemory,
} from './wasm-module.js';

/**
 * A stride-1 convolution over an input already padded: out = paddedHeight - filterHeight + 1 rows (and
 * likewise columns). The emitted functions are specialised on these numbers, so that every address
 * offset inside the inner loops is a constant.
 */
export interface PaddedConvShape {
  paddedHeight: number;
  paddedWidth: number;
  inChannels: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
}

/**
 * Register tile: up to 4 rows x 8 columns of C as 8 f32x4 accumulators. More accumulators make V8
 * spill SIMD registers on x64 (16 xmm): 6x8 or 4x12 tiles ran at half the speed of 4x8, and unrolling
 * the k loop hurt as well (measured with a scratch GEMM on a 2-core EPYC: 4x8 at 33 GFLOP/s, XNNPACK's
 * BatchMatMul 16 on the same shape).
 */
const TILE_ROWS = 4;
const TILE_VECTORS = 2;
/** Output columns of one register tile. */
const TILE_COLUMNS = TILE_VECTORS * 4;
const F32 = 4;

/** The accumulators of one register tile and the instructions that work on them. */
class RegisterTile {
  private readonly acc: number[][];
  private readonly b: number[];
  private readonly splat: number;

  constructor(locals: Locals) {
    this.acc = Array.from({ length: TILE_ROWS }, () =>
      Array.from({ length: TILE_VECTORS }, () => locals.add('v128')),
    );
    this.b = Array.from({ length: TILE_VECTORS }, () => locals.add('v128'));
    this.splat = locals.add('v128');
  }

  private each(rows: number, emit: (acc: number, row: number, vector: number) => number[]): number[] {
    return this.acc.slice(0, rows).flatMap((row, r) => row.flatMap((acc, v) => emit(acc, r, v)));
  }

  zero(rows: number): number[] {
    return this.each(rows, (acc) => [...op.v128Zero, ...op.localSet(acc)]);
  }

  /** Accumulators from (or to) memory at `pointer` + row * rowBytes. */
  load(rows: number, pointer: number, rowBytes: number): number[] {
    return this.each(rows, (acc, r, v) => [
      ...op.localGet(pointer),
      ...op.v128Load(r * rowBytes + v * 16),
      ...op.localSet(acc),
    ]);
  }

  store(rows: number, pointer: number, rowBytes: number): number[] {
    return this.each(rows, (acc, r, v) => [
      ...op.localGet(pointer),
      ...op.localGet(acc),
      ...op.v128Store(r * rowBytes + v * 16),
    ]);
  }

  /** acc += the 8 floats at `pointer` (a bias), broadcast over the rows. */
  addRow(rows: number, pointer: number): number[] {
    return this.each(rows, (acc, _r, v) => [
      ...op.localGet(acc),
      ...op.localGet(pointer),
      ...op.v128Load(v * 16),
      ...op.f32x4Add,
      ...op.localSet(acc),
    ]);
  }

  relu(rows: number): number[] {
    return this.each(rows, (acc) => [
      ...op.localGet(acc),
      ...op.v128Zero,
      ...op.f32x4Max,
      ...op.localSet(acc),
    ]);
  }

  /** One step of the reduction: acc[r] += a[r] * b, with a[r] at `a` + r * aRowBytes and b the 8 floats at `b`. */
  step(rows: number, a: number, aRowBytes: number, b: number): number[] {
    const code = this.b.flatMap((bv, v) => [...op.localGet(b), ...op.v128Load(v * 16), ...op.localSet(bv)]);
    for (let r = 0; r < rows; r++) {
      code.push(...op.localGet(a), ...op.v128Load32Splat(r * aRowBytes), ...op.localSet(this.splat));
      this.acc[r]!.forEach((acc, v) => {
        code.push(...op.localGet(acc), ...op.localGet(this.splat), ...op.localGet(this.b[v]!));
        code.push(...op.f32x4Mul, ...op.f32x4Add, ...op.localSet(acc));
      });
    }
    return code;
  }
}

/** target = base + (image * imageRows + block * blockRows) * rowBytes: the address of a row of a tensor. */
const rowAddress = (
  target: number,
  base: number,
  [image, imageRows]: [number, number],
  [block, blockRows]: [number, number],
  rowBytes: number,
): number[] => [
  ...op.localGet(image),
  ...op.i32Const(imageRows),
  ...op.i32Mul,
  ...op.localGet(block),
  ...op.i32Const(blockRows),
  ...op.i32Mul,
  ...op.i32Add,
  ...op.localSet(target),
  ...offsetBy(target, base, target, rowBytes),
];

/**
 * Copies `rows` rows of `columns` floats at `src` into column panels at `dst`: panel p holds, for each row,
 * its 8 floats from column 8p on, one row after the other. The tiles then read their 8 columns of B
 * contiguously; read in place, rows of 256 channels are 1 KiB apart, all on the same few L1 sets.
 */
function packPanels(src: number, dst: number, rows: number, columns: number, locals: Locals): number[] {
  const { panel, row, from, to } = locals.named('i32', ['panel', 'row', 'from', 'to']);
  const copy = [0, 16].flatMap((offset) => [
    ...op.localGet(to),
    ...op.localGet(from),
    ...op.v128Load(offset),
    ...op.v128Store(offset),
  ]);
  return [
    ...op.localGet(dst),
    ...op.localSet(to),
    ...countedLoop(panel, { constant: columns / TILE_COLUMNS }, [
      ...offsetBy(from, src, panel, TILE_COLUMNS * F32),
      ...reductionLoop(row, rows, copy, [
        [from, columns * F32],
        [to, TILE_COLUMNS * F32],
      ]),
    ]),
  ];
}

function outSize(shape: PaddedConvShape): { outHeight: number; outWidth: number } {
  return {
    outHeight: shape.paddedHeight - shape.filterHeight + 1,
    outWidth: shape.paddedWidth - shape.filterWidth + 1,
  };
}

/**
 * conv(x, w, bias, out, images, relu, scratch): out[n, y, x, o] = sum over (i, j, c) of
 * x[n, y+i, x+j, c] * w[i, j, c, o], plus bias[o] when bias != 0, then max(0, .) when relu != 0.
 * Tiles of 4 neighbouring output pixels by 8 output channels read x in place (no im2col copy); w is
 * first packed into panels at scratch (the size of w).
 */
function convFunction(shape: PaddedConvShape): WasmFunction {
  const { paddedHeight, paddedWidth, inChannels: C, outChannels: N, filterHeight, filterWidth } = shape;
  const { outHeight, outWidth } = outSize(shape);
  const [x, w, bias, out, images, relu, packedW] = [0, 1, 2, 3, 4, 5, 6];
  const locals = new Locals(7);
  const reduction = filterHeight * filterWidth * C;
  const { image, y, panel, tileIndex, xRow, outRow, a, b, aTap, bTap, k, o } = locals.named('i32', [
    'image',
    'y',
    'panel',
    'tileIndex',
    'xRow',
    'outRow',
    'a',
    'b',
    'aTap',
    'bTap',
    'k',
    'o',
  ]);
  const tile = new RegisterTile(locals);

  /** One register tile of `rows` pixels, with a (first pixel in x) and o (its output) set. */
  const tileBody = (rows: number): number[] => [
    ...offsetBy(b, packedW, panel, reduction * TILE_COLUMNS * F32),
    ...tile.zero(rows),
    ...Array.from({ length: filterHeight * filterWidth }, (_, tap) => {
      const [i, j] = [Math.floor(tap / filterWidth), tap % filterWidth];
      return [
        ...sumOf(aTap, a, (i * paddedWidth + j) * C * F32),
        ...sumOf(bTap, b, tap * C * TILE_COLUMNS * F32),
        ...reductionLoop(k, C, tile.step(rows, aTap, C * F32, bTap), [
          [aTap, F32],
          [bTap, TILE_COLUMNS * F32],
        ]),
      ];
    }).flat(),
    ...[...op.block, ...op.localGet(bias), ...op.i32Eqz, ...op.brIf(0)],
    ...offsetBy(aTap, bias, panel, TILE_COLUMNS * F32),
    ...tile.addRow(rows, aTap),
    ...op.end,
    ...[...op.block, ...op.localGet(relu), ...op.i32Eqz, ...op.brIf(0), ...tile.relu(rows), ...op.end],
    ...offsetBy(o, o, panel, TILE_COLUMNS * F32),
    ...tile.store(rows, o, N * F32),
  ];
  const fullTiles = Math.floor(outWidth / TILE_ROWS);
  const tailRows = outWidth % TILE_ROWS;
  const panelBody = [
    ...(fullTiles > 0
      ? countedLoop(tileIndex, { constant: fullTiles }, [
          ...offsetBy(a, xRow, tileIndex, TILE_ROWS * C * F32),
          ...offsetBy(o, outRow, tileIndex, TILE_ROWS * N * F32),
          ...tileBody(TILE_ROWS),
        ])
      : []),
    ...(tailRows > 0
      ? [
          ...sumOf(a, xRow, fullTiles * TILE_ROWS * C * F32),
          ...sumOf(o, outRow, fullTiles * TILE_ROWS * N * F32),
          ...tileBody(tailRows),
        ]
      : []),
  ];
  const rowBody = [
    ...rowAddress(xRow, x, [image, paddedHeight], [y, 1], paddedWidth * C * F32),
    ...rowAddress(outRow, out, [image, outHeight], [y, 1], outWidth * N * F32),
    ...countedLoop(panel, { constant: N / TILE_COLUMNS }, panelBody),
  ];
  const body = [
    ...packPanels(w, packedW, reduction, N, locals),
    ...countedLoop(image, { local: images }, countedLoop(y, { constant: outHeight }, rowBody)),
  ];
  return { name: 'conv', params: 7, locals: locals.types, body };
}

/** The largest divisor of `rows` up to 4: output rows that filterGrad reduces over in one pass. */
function filterGradRowBlock(rows: number): number {
  return [4, 3, 2].find((r) => rows % r === 0) ?? 1;
}

/**
 * filterGrad(x, dy, dw, images, scratch): dw[i, j, c, o] += sum over (n, y, x) of
 * x[n, y+i, x+j, c] * dy[n, y, x, o]. Register tiles are 4 input channels by 8 output channels of one
 * filter tap; each reduces over a block of up to 4 output rows, whose dy (packed into panels at
 * scratch) and x stay in L1/L2 while every tile of dw passes over them once.
 */
function filterGradFunction(shape: PaddedConvShape): WasmFunction {
  const { paddedHeight, paddedWidth, inChannels: C, outChannels: N, filterHeight, filterWidth } = shape;
  const { outHeight, outWidth } = outSize(shape);
  const blockRows = filterGradRowBlock(outHeight);
  const [x, dy, dw, images, packedDy] = [0, 1, 2, 3, 4];
  const locals = new Locals(5);
  const { image, block, panel, channelTile, xRow, dyRow, a, b, k, blockRow, d } = locals.named('i32', [
    'image',
    'block',
    'panel',
    'channelTile',
    'xRow',
    'dyRow',
    'a',
    'b',
    'k',
    'blockRow',
    'd',
  ]);
  const tile = new RegisterTile(locals);

  const rowReduction = reductionLoop(k, outWidth, tile.step(TILE_ROWS, a, F32, b), [
    [a, C * F32],
    [b, TILE_COLUMNS * F32],
  ]);
  // Between rows, x skips the padding columns; the packed dy rows follow one another.
  const blockReduction =
    blockRows === 1
      ? rowReduction
      : reductionLoop(blockRow, blockRows, rowReduction, [[a, (paddedWidth - outWidth) * C * F32]]);
  const taps = Array.from({ length: filterHeight * filterWidth }, (_, tap) => {
    const [i, j] = [Math.floor(tap / filterWidth), tap % filterWidth];
    return countedLoop(channelTile, { constant: C / TILE_ROWS }, [
      ...offsetBy(a, xRow, channelTile, TILE_ROWS * F32),
      ...addTo(a, (i * paddedWidth + j) * C * F32),
      // d = dw + ((tap * C + channelTile * 4) * N + panel * 8) floats
      ...offsetBy(d, dw, channelTile, TILE_ROWS * N * F32),
      ...offsetBy(d, d, panel, TILE_COLUMNS * F32),
      ...addTo(d, tap * C * N * F32),
      ...tile.load(TILE_ROWS, d, N * F32),
      ...offsetBy(b, packedDy, panel, blockRows * outWidth * TILE_COLUMNS * F32),
      ...blockReduction,
      ...tile.store(TILE_ROWS, d, N * F32),
    ]);
  }).flat();
  const blockBody = [
    ...rowAddress(xRow, x, [image, paddedHeight], [block, blockRows], paddedWidth * C * F32),
    ...rowAddress(dyRow, dy, [image, outHeight], [block, blockRows], outWidth * N * F32),
    ...packPanels(dyRow, packedDy, blockRows * outWidth, N, locals),
    ...countedLoop(panel, { constant: N / TILE_COLUMNS }, taps),
  ];
  const body = countedLoop(
    image,
    { local: images },
    countedLoop(block, { constant: outHeight / blockRows }, blockBody),
  );
  return { name: 'filterGrad', params: 5, locals: locals.types, body };
}

/** Floats of scratch that filterGrad needs: one block of rows of dy. */
export function filterGradScratchFloats(shape: PaddedConvShape): number {
  const { outHeight, outWidth } = outSize(shape);
  return filterGradRowBlock(outHeight) * outWidth * shape.outChannels;
}

/** The emitted kernels for one shape; pointers are byte offsets into the memory they were built over. */
export interface ConvGemmKernels {
  /** scratch: room for w (filterHeight * filterWidth * inChannels * outChannels floats). */
  conv(x: number, w: number, bias: number, out: number, images: number, relu: number, scratch: number): void;
  /** Needs inChannels % 4 === 0; scratch: room for {@link filterGradScratchFloats} floats. */
  filterGrad(x: number, dy: number, dw: number, images: number, scratch: number): void;
}

/** Whether the emitted kernels handle `shape`: whole 8-channel output tiles (and 4-channel input tiles for filterGrad). */
export function convGemmSupports(shape: PaddedConvShape, kernel: 'conv' | 'filterGrad'): boolean {
  const { outHeight, outWidth } = outSize(shape);
  return (
    outHeight >= 1 &&
    outWidth >= 1 &&
    shape.outChannels % TILE_COLUMNS === 0 &&
    (kernel === 'conv' || shape.inChannels % TILE_ROWS === 0)
  );
}

/** The kernels for `shape` over `memory`, emitted and compiled on first use (a few ms) and cached. */
export function convGemmKernels(memory: WasmMemory, shape: PaddedConvShape): ConvGemmKernels {
  return cachedInstance(memory, `conv ${JSON.stringify(shape)}`, () => [
    convFunction(shape),
    ...(convGemmSupports(shape, 'filterGrad') ? [filterGradFunction(shape)] : []),
  ]) as ConvGemmKernels;
}

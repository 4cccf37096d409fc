/**
 * Just enough of the WebAssembly binary format to emit the project's own compute kernels at run time,
 * without a compiler toolchain: one module of exported functions over an imported memory (the wasm
 * backend's heap, so that kernels read and write tensors in place).
 */

/** A WebAssembly.Memory, typed loosely: @types/node 20 does not declare the WebAssembly namespace. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The members of the WebAssembly JS API used here. */
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

export function isWasmMemory(value: unknown): value is WasmMemory {
  return value instanceof webAssembly.Memory;
}

export type ValueType = 'i32' | 'v128';
const VALUE_TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, v128: 0x7b };

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0))
      return [...bytes, byte];
    bytes.push(byte | 0x80);
  }
}

const simd = (opcode: number): number[] => [0xfd, ...unsignedLeb(opcode)];
/** memarg: log2 of the alignment, then the constant byte offset added to the address operand. */
const memarg = (alignLog2: number, offset: number): number[] => [alignLog2, ...unsignedLeb(offset)];

/** Instructions as byte sequences; a function body is their concatenation. */
export const op = {
  localGet: (index: number) => [0x20, ...unsignedLeb(index)],
  localSet: (index: number) => [0x21, ...unsignedLeb(index)],
  localTee: (index: number) => [0x22, ...unsignedLeb(index)],
  i32Const: (value: number) => [0x41, ...signedLeb(value)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32LtS: [0x48],
  i32Eqz: [0x45],
  /** A block without results: `br 0` inside jumps to its end. */
  block: [0x02, 0x40],
  /** A loop without results: `br 0` inside jumps back to its start. */
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...unsignedLeb(depth)],
  v128Load: (offset: number) => [...simd(0x00), ...memarg(4, offset)],
  /** Loads one f32 and repeats it in all four lanes. */
  v128Load32Splat: (offset: number) => [...simd(0x09), ...memarg(2, offset)],
  v128Store: (offset: number) => [...simd(0x0b), ...memarg(4, offset)],
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  f32x4ExtractLane: (lane: number) => [...simd(0x1f), lane],
  f32Add: [0x92],
  f32Store: (offset: number) => [0x38, ...memarg(2, offset)],
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
  f32x4Max: simd(0xe9),
  /** Lane-wise a > b: all ones where true, zeros elsewhere. */
  f32x4Gt: simd(0x44),
  v128And: simd(0x4e),
};

/** One exported function: `(i32 params...) -> ()` with typed locals after the parameters. */
export interface WasmFunction {
  name: string;
  params: number;
  locals: ValueType[];
  body: number[];
}

/** Local slots of a function under construction: parameters first, then locals as they are asked for. */
export class Locals {
  readonly types: ValueType[] = [];
  constructor(private readonly params: number) {}
  add(type: ValueType): number {
    this.types.push(type);
    return this.params + this.types.length - 1;
  }
  /** One new local of `type` per name. */
  named<const K extends string>(type: ValueType, names: readonly K[]): Record<K, number> {
    return Object.fromEntries(names.map((n) => [n, this.add(type)])) as Record<K, number>;
  }
}

/** Control flow and address arithmetic on i32 locals, shared by the kernels' emitters. */
/** target = source + constant */
export const sumOf = (target: number, source: number, bytes: number): number[] => [
  ...op.localGet(source),
  ...op.i32Const(bytes),
  ...op.i32Add,
  ...op.localSet(target),
];
/** local += constant */
export const addTo = (local: number, bytes: number): number[] => sumOf(local, local, bytes);
/** target = base + factor * constant */
export const offsetBy = (target: number, base: number, factor: number, bytes: number): number[] => [
  ...op.localGet(base),
  ...op.localGet(factor),
  ...op.i32Const(bytes),
  ...op.i32Mul,
  ...op.i32Add,
  ...op.localSet(target),
];
/** `for (counter = 0; counter < limit; counter++) body`, for limit >= 1 (a constant or a local's value). */
export function countedLoop(
  counter: number,
  limit: { constant: number } | { local: number },
  body: number[],
): number[] {
  const bound = 'constant' in limit ? op.i32Const(limit.constant) : op.localGet(limit.local);
  return [
    ...op.i32Const(0),
    ...op.localSet(counter),
    ...op.loop,
    ...body,
    ...op.localGet(counter),
    ...op.i32Const(1),
    ...op.i32Add,
    ...op.localTee(counter),
    ...bound,
    ...op.i32LtS,
    ...op.brIf(0),
    ...op.end,
  ];
}

/** `do { body; pointers advance } while (--counter)`, counter starting at `count` >= 1 (a constant or a local's value). */
export function reductionLoop(
  counter: number,
  count: number | { local: number },
  body: number[],
  advances: [number, number][],
): number[] {
  return [
    ...(typeof count === 'number' ? op.i32Const(count) : op.localGet(count.local)),
    ...op.localSet(counter),
    ...op.loop,
    ...body,
    ...advances.flatMap(([local, bytes]) => addTo(local, bytes)),
    ...op.localGet(counter),
    ...op.i32Const(-1),
    ...op.i32Add,
    ...op.localTee(counter),
    ...op.brIf(0),
    ...op.end,
  ];
}

const vector = (items: number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
const name = (text: string): number[] => [...unsignedLeb(text.length), ...Buffer.from(text, 'utf8')];
const section = (id: number, body: number[]): number[] => [id, ...unsignedLeb(body.length), ...body];

const instances = new WeakMap<WasmMemory, Map<string, object>>();

/**
 * The exports (by function name) of one module over `memory` compiled from `emit()`'s functions, emitted and
 * compiled on the first call for `key` (a few ms) and cached per memory: each wasm backend has its own.
 */
export function cachedInstance(memory: WasmMemory, key: string, emit: () => WasmFunction[]): object {
  let byKey = instances.get(memory);
  if (byKey === undefined) instances.set(memory, (byKey = new Map()));
  let exports = byKey.get(key);
  if (exports === undefined) {
    const module = new webAssembly.Module(encodeModule(emit()));
    exports = new webAssembly.Instance(module, { env: { memory } }).exports;
    byKey.set(key, exports);
  }
  return exports;
}

/** A module importing its memory as env.memory and exporting `functions` under their names. */
function encodeModule(functions: WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(new Array(f.params).fill([VALUE_TYPE_CODE.i32])), 0]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, 0x00];
  const code = functions.map((f) => {
    const body = [...vector(f.locals.map((t) => [1, VALUE_TYPE_CODE[t]])), ...f.body, ...op.end];
    return [...unsignedLeb(body.length), ...body];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, i) => unsignedLeb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...unsignedLeb(i)]))),
    ...section(10, vector(code)),
  ]);
}

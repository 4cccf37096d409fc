/**
 * NumPy's .npy format, version 1.0 (numpy/doc/neps/nep-0001-npy-format): magic "\x93NUMPY", version 1 0,
 * a little-endian uint16 header length, an ASCII dict header padded with spaces and ended by "\n" so that
 * the data starts at a multiple of 64 bytes, then the raw data. Here: little-endian float32, C order.
 */
const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
const ALIGN = 64;

function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Encodes `data` (its length the product of `shape`) as a float32 .npy file. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new RangeError(`bad npy shape [${shape.join(', ')}]`);
  if (count !== data.length)
    throw new RangeError(`npy shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText(shape)}, }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const header = dict + ' '.repeat((ALIGN - (unpadded % ALIGN)) % ALIGN) + '\n';
  const out = Buffer.alloc(MAGIC.length + 4 + header.length + data.byteLength);
  MAGIC.copy(out, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  const body = out.subarray(10 + header.length);
  for (let i = 0; i < data.length; i++) body.writeFloatLE(data[i], i * 4);
  return out;
}

/** Reads a .npy file written by {@link encodeNpy} (v1.0, '<f4', C order); throws naming what is wrong. */
export function decodeNpy(buf: Buffer): { data: Float32Array; shape: number[] } {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new Error('not a .npy file: bad magic');
  if (buf[6] !== 1) throw new Error(`unsupported .npy version ${buf[6]}.${buf[7]}`);
  const headerLength = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLength).toString('latin1');
  if (!header.includes("'descr': '<f4'"))
    throw new Error(`.npy header is not little-endian float32: ${header.trim()}`);
  if (!header.includes("'fortran_order': False"))
    throw new Error('.npy data in Fortran order is not supported');
  const match = /'shape': \(([\d, ]*)\)/.exec(header);
  if (!match) throw new Error(`.npy header has no shape: ${header.trim()}`);
  const shape = match[1]
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = buf.subarray(10 + headerLength);
  if (body.length !== count * 4)
    throw new Error(`.npy data has ${body.length} bytes, shape needs ${count * 4}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = body.readFloatLE(i * 4);
  return { data, shape };
}

/**
 * Reads a float32 .npy array (NumPy format 1.0, little-endian '<f4', C order), as the API's cams.npy is
 * written, from the bytes a browser fetched.
 */
export function parseNpyFloat32(buffer: ArrayBuffer): { data: Float32Array; shape: number[] } {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw new Error('not a .npy file');
  if (bytes[6] !== 1) throw new Error(`unsupported .npy version ${bytes[6]}.${bytes[7]}`);
  const headerLength = new DataView(buffer).getUint16(8, true);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + headerLength));
  if (!header.includes("'descr': '<f4'")) throw new Error('cams.npy is not little-endian float32');
  if (header.includes("'fortran_order': True")) throw new Error('cams.npy is in Fortran order');
  const shapeText = /'shape': \(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new Error('cams.npy has no shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = 10 + headerLength;
  if (buffer.byteLength - offset !== count * 4)
    throw new Error(`cams.npy holds ${buffer.byteLength - offset} data bytes, shape needs ${count * 4}`);
  // The data starts at a multiple of 64 bytes, so a Float32Array can view it in place.
  return { data: new Float32Array(buffer, offset, count), shape };
}

/** The raw map value of map `index` at fractional position (fx, fy) in [0, 1) of the shown image. */
export function mapValueAt(
  maps: { data: Float32Array; shape: number[] },
  index: number,
  fx: number,
  fy: number,
): number | null {
  const [count = 0, h = 0, w = 0] = maps.shape;
  if (index < 0 || index >= count || !(fx >= 0 && fx < 1 && fy >= 0 && fy < 1)) return null;
  const row = Math.floor(fy * h);
  const col = Math.floor(fx * w);
  return maps.data[index * h * w + row * w + col] ?? null;
}

import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import type { RgbImage } from './overlay.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** PNG's per-row filter type 1: each byte minus the same channel's byte of the pixel to its left. */
const FILTER_SUB = 1;

/** A PNG chunk: length, type, data, then the CRC of type and data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes an RGB image as an 8-bit RGB PNG: every row with the Sub filter, then zlib at level 1 (OpenCV's
 * default for PNG). Written here rather than through pngjs's encoder, which filters and checksums in
 * per-byte JS loops: on a 112 px overlay 0.37 ms instead of pngjs's 0.82 with the same settings
 * (pngjs still decodes).
 */
export function encodePng(image: RgbImage): Buffer {
  const { width, height, data } = image;
  if (data.length !== width * height * 3) {
    throw new RangeError(
      `RGB image ${width}x${height} needs ${width * height * 3} bytes, got ${data.length}`,
    );
  }
  const stride = width * 3;
  const filtered = Buffer.allocUnsafe(height * (stride + 1));
  for (let y = 0, from = 0, to = 0; y < height; y++, from += stride, to += stride + 1) {
    filtered[to] = FILTER_SUB;
    for (let x = 0; x < 3 && x < stride; x++) filtered[to + 1 + x] = data[from + x]!;
    for (let x = 3; x < stride; x++) filtered[to + 1 + x] = data[from + x]! - data[from + x - 3]!;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, adaptive filters, no interlace
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filtered, { level: 1 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Decodes a PNG into RGB bytes (alpha dropped), for tests and callers reading PNGs back. */
export function decodePng(png: Buffer): RgbImage {
  const decoded = PNG.sync.read(png);
  const { width, height } = decoded;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[i * 3] = decoded.data[i * 4];
    data[i * 3 + 1] = decoded.data[i * 4 + 1];
    data[i * 3 + 2] = decoded.data[i * 4 + 2];
  }
  return { width, height, data };
}

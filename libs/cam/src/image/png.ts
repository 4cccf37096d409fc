import { PNG } from 'pngjs';
import type { RgbImage } from './overlay.js';

/**
 * Encodes an RGB image as an 8-bit RGB PNG. One fixed filter (Sub, the cheapest) and zlib level 1 (OpenCV's
 * default for PNG) instead of pngjs's defaults (all five filters tried per row, level 9): on a 112 px
 * overlay 0.47 ms instead of 0.78 at level 3, for a file about 15 % larger.
 */
export function encodePng(image: RgbImage): Buffer {
  const { width, height, data } = image;
  if (data.length !== width * height * 3) {
    throw new RangeError(
      `RGB image ${width}x${height} needs ${width * height * 3} bytes, got ${data.length}`,
    );
  }
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return PNG.sync.write(png, {
    colorType: 2,
    inputColorType: 2,
    inputHasAlpha: false,
    filterType: 1,
    deflateLevel: 1,
  });
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

import { PNG } from 'pngjs';
import { decodePng } from './png.js';
import { pngSize, uploadedImageSizeProblem } from './upload-rules.js';
import { MAX_SIZE, mapResizer } from './upsample.js';

/** An uploaded image that cannot be explained; the message says why (not a PNG, corrupt, wrong size). */
export class UploadedImageError extends Error {
  override name = 'UploadedImageError';
}

/**
 * An uploaded PNG as a grey rows x cols digit: size checked from the header first (decoding allocates
 * width x height x 4 bytes), decoded (any colour type and bit depth), averaged to grey, resized bilinearly.
 * @throws UploadedImageError when it is not a PNG, cannot be decoded or has a size the resizer refuses
 */
export function greyDigitFromPng(png: Uint8Array, rows: number, cols: number): Uint8Array {
  const size = pngSize(png);
  if (size === null) throw new UploadedImageError('is not a PNG (no signature and IHDR chunk)');
  const sizeProblem = uploadedImageSizeProblem(size.width, size.height);
  if (sizeProblem !== null) throw new UploadedImageError(sizeProblem);
  let rgb;
  try {
    rgb = decodePng(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  } catch (err) {
    throw new UploadedImageError(`is not a decodable PNG (${(err as Error).message})`);
  }
  const grey = new Float32Array(rgb.width * rgb.height);
  for (let i = 0; i < grey.length; i++)
    grey[i] = (rgb.data[i * 3] + rgb.data[i * 3 + 1] + rgb.data[i * 3 + 2]) / 3;
  const resize = mapResizer(rgb.height, rgb.width, rows, cols, 'bilinear');
  return Uint8Array.from(resize(grey), (v) => Math.round(Math.min(255, Math.max(0, v))));
}

/**
 * The costliest PNG to decode that an upload may be: MAX_SIZE x MAX_SIZE, 16-bit RGBA, one grey (so that it
 * compresses to a few KB and many fit one request). For load tests and benchmarks of what accepts uploads.
 */
export function largestUploadPng(): Buffer {
  const options = {
    width: MAX_SIZE,
    height: MAX_SIZE,
    bitDepth: 16,
    colorType: 6,
    inputHasAlpha: true,
  } as const;
  const png = new PNG(options);
  // pngjs takes 16-bit samples as a Uint16Array's bytes.
  png.data = Buffer.from(new Uint16Array(MAX_SIZE * MAX_SIZE * 4).fill(40_000).buffer);
  return PNG.sync.write(png, options);
}

/**
 * A side x side PNG of RGB noise (from a fixed seed): it does not compress, so it is the most bytes of upload
 * per decoded pixel. For load tests of the largest request in bytes.
 */
export function noiseUploadPng(side: number): Buffer {
  const png = new PNG({ width: side, height: side, colorType: 2, inputHasAlpha: false });
  png.data = Buffer.alloc(side * side * 3);
  let state = 1;
  for (let i = 0; i < png.data.length; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    png.data[i] = state >>> 24;
  }
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: false });
}

import { MAX_SIZE, resizeInputProblem } from './upsample.js';

/** The largest side of an image the resizer takes (uploads larger than this are refused). */
export { MAX_SIZE };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bytes up to the end of IHDR's width and height: signature, chunk length and type, then two uint32. */
export const PNG_SIZE_BYTES = 24;

/**
 * Width and height from a PNG's IHDR chunk, which must follow the 8-byte signature; null when `bytes` (at
 * least the first {@link PNG_SIZE_BYTES}) do not start a PNG. Reads only the header: nothing is decoded.
 */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < PNG_SIZE_BYTES || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Why a PNG of this size cannot be explained, or null when it can: an uploaded image is resized to the model's
 * input, so its sides must be ones the resizer takes. (Pure, so that request schemas can call it.)
 */
export function uploadedImageSizeProblem(width: number, height: number): string | null {
  const problem = resizeInputProblem(width, height);
  return problem === null ? null : `is ${width}x${height}: ${problem}`;
}

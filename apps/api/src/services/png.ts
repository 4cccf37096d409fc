import { PNG } from 'pngjs';
import { badRequest } from '../errors.js';

/** Largest side an uploaded image may have (the renderer resizes it to 28x28). */
export const MAX_IMAGE_SIDE = 2048;

/** Width and height from the IHDR chunk, which must follow the 8-byte signature. */
function headerSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * Decodes each base64 PNG fully, so that a corrupt image is a 400 naming it, not a failed job. The size in
 * the header is checked first: decoding allocates width x height x 4 bytes.
 */
export function checkPngImages(images: string[]): void {
  images.forEach((image, i) => {
    const field = `images.${i}`;
    const bytes = Buffer.from(image, 'base64');
    const size = headerSize(bytes);
    if (size === null) throw badRequest(field, 'is not a valid PNG (no IHDR chunk)');
    if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE) {
      throw badRequest(field, `is ${size.width}x${size.height}; at most ${MAX_IMAGE_SIDE} pixels a side`);
    }
    try {
      PNG.sync.read(bytes);
    } catch (error) {
      throw badRequest(field, `is not a valid PNG (${(error as Error).message})`);
    }
  });
}

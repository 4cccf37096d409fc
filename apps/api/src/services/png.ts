import { PNG } from 'pngjs';
import { badRequest } from '../errors.js';

/** Largest side an uploaded image may have (the renderer resizes it to 28x28). */
export const MAX_IMAGE_SIDE = 2048;

/** Decodes each base64 PNG fully, so that a corrupt or oversized image is a 400 naming it, not a failed job. */
export function checkPngImages(images: string[]): void {
  images.forEach((image, i) => {
    const field = `images.${i}`;
    let header: { width: number; height: number };
    try {
      header = PNG.sync.read(Buffer.from(image, 'base64'));
    } catch (error) {
      throw badRequest(field, `is not a valid PNG (${(error as Error).message})`);
    }
    if (header.width > MAX_IMAGE_SIDE || header.height > MAX_IMAGE_SIDE) {
      throw badRequest(field, `is ${header.width}x${header.height}; at most ${MAX_IMAGE_SIDE} pixels a side`);
    }
  });
}

import { UploadedImageError, greyDigitFromPng } from '@cam/cam/upload';
import { badRequest } from '../errors.js';

/**
 * Reads each base64 PNG as the renderer will (the same function of @cam/cam), so that a corrupt image is a 400
 * naming it, not a failed job. (The request schema has already checked each header's size.)
 */
export function checkPngImages(images: string[]): void {
  images.forEach((image, i) => {
    try {
      greyDigitFromPng(Buffer.from(image, 'base64'), 28, 28);
    } catch (error) {
      if (error instanceof UploadedImageError) throw badRequest(`images.${i}`, error.message);
      throw error;
    }
  });
}

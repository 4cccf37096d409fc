import { parentPort } from 'node:worker_threads';
import { UploadedImageError, greyDigitFromPng } from '@cam/cam/upload';
import type { PngCheckReply, PngCheckRequest } from './png.js';

/**
 * The decoding thread of PngChecker: reads each uploaded PNG as the renderer will (the same function of
 * @cam/cam), one request at a time, and answers the first image it cannot read.
 */
parentPort!.on('message', ({ id, images }: PngCheckRequest) => {
  let reply: PngCheckReply = { id, refused: null };
  for (const [index, image] of images.entries()) {
    try {
      greyDigitFromPng(Buffer.from(image, 'base64'), 28, 28);
    } catch (error) {
      if (!(error instanceof UploadedImageError)) throw error;
      reply = { id, refused: { index, message: error.message } };
      break;
    }
  }
  parentPort!.postMessage(reply);
});

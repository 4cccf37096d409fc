import type { RequestHandler } from 'express';
import { HttpError } from '../errors.js';

/** Rejects a body that is not declared as JSON with 415 (express.json skips such bodies silently). */
export const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is('application/json')) {
    next(
      new HttpError(
        415,
        'unsupported_media_type',
        `Content-Type must be application/json, not ${req.get('content-type') ?? 'missing'}`,
      ),
    );
    return;
  }
  next();
};

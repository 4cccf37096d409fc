import type { Response } from 'express';
import type { ArtifactStore } from '@cam/storage';
import { badRequest } from '../errors.js';

/** A file name inside one folder: no separators, no '.'/'..', only portable characters. */
const FILE_NAME = /^(?!\.\.?$)[A-Za-z0-9._-]{1,200}$/;

/**
 * Streams `<folder>/<name>` from the store with its Content-Length and content type; 400 for a name that is not
 * a plain file name, 404 when missing, 503 when the store is unreachable (error handler).
 */
export async function sendArtifact(
  store: ArtifactStore,
  folder: string,
  name: string,
  res: Response,
): Promise<void> {
  if (!FILE_NAME.test(name))
    throw badRequest('name', 'must be a file name (letters, digits, . _ -), not a path');
  const { body, size, contentType } = await store.stream(`${folder}/${name}`);
  res.type(contentType);
  res.setHeader('content-length', String(size));
  // Headers are gone: a store failing mid-body can only cut the connection (the client sees a short body).
  body.on('error', () => res.destroy());
  body.pipe(res);
}

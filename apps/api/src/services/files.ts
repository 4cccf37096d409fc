import path from 'node:path';
import type { Response } from 'express';
import type { ArtifactStore } from '@cam/storage';
import { badRequest } from '../errors.js';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.npy': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

/** A file name inside one folder: no separators, no '.'/'..', only portable characters. */
const FILE_NAME = /^(?!\.\.?$)[A-Za-z0-9._-]{1,200}$/;

/** Streams `<folder>/<name>` from the store; 400 for a name that is not a plain file name, 404 when missing. */
export async function sendArtifact(
  store: ArtifactStore,
  folder: string,
  name: string,
  res: Response,
): Promise<void> {
  if (!FILE_NAME.test(name))
    throw badRequest('name', 'must be a file name (letters, digits, . _ -), not a path');
  const stream = await store.stream(`${folder}/${name}`);
  res.type(CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream');
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

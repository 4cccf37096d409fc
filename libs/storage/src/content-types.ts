import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.npy': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

/** The content type an artifact is stored and served with, from its key's extension. */
export function contentTypeOf(key: string): string {
  return CONTENT_TYPES[path.extname(key)] ?? 'application/octet-stream';
}

import { InvalidArtifactKeyError } from './errors.js';

const MAX_KEY_LENGTH = 1024;

/**
 * Checks a key: '/'-separated relative segments, none empty, '.' or '..'; no backslash, NUL or leading '/'.
 * A prefix (for list) may also be '' (the root) and may end in '/'.
 * @returns the key with a prefix's trailing '/' removed
 */
export function validateArtifactKey(key: string, { prefix = false } = {}): string {
  if (typeof key !== 'string') throw new InvalidArtifactKeyError(String(key), 'not a string');
  if (prefix && (key === '' || key === '/')) return '';
  const trimmed = prefix && key.endsWith('/') ? key.slice(0, -1) : key;
  const reason =
    trimmed === ''
      ? 'empty'
      : trimmed.length > MAX_KEY_LENGTH
        ? `longer than ${MAX_KEY_LENGTH} characters`
        : trimmed.includes('\0')
          ? 'contains NUL'
          : trimmed.includes('\\')
            ? 'contains a backslash'
            : trimmed.startsWith('/')
              ? 'is absolute'
              : trimmed.split('/').some((s) => s === '' || s === '.' || s === '..')
                ? "has an empty, '.' or '..' segment"
                : null;
  if (reason !== null) throw new InvalidArtifactKeyError(key, reason);
  return trimmed;
}

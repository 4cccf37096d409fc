import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ArtifactStore } from './artifact-store.js';
import { ArtifactNotFoundError, InvalidArtifactKeyError } from './errors.js';
import { validateArtifactKey } from './keys.js';

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** An artifact store on a local (or shared, mounted) directory. */
export class DirectoryArtifactStore implements ArtifactStore {
  readonly root: string;

  /** @param root - @defaultValue process.env.ARTIFACTS_DIR ?? './artifacts' */
  constructor(root: string = process.env.ARTIFACTS_DIR ?? './artifacts') {
    this.root = path.resolve(root);
  }

  localPath(key: string): string {
    return path.join(this.root, ...validateArtifactKey(key, { prefix: true }).split('/').filter(Boolean));
  }

  async put(key: string, data: Buffer | Uint8Array | string): Promise<void> {
    const file = this.localPath(validateArtifactKey(key));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
  }

  async get(key: string): Promise<Buffer> {
    const file = await this.existingFile(key);
    return readFile(file);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.existingFile(key);
      return true;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return false;
      throw error;
    }
  }

  async stream(key: string): Promise<Readable> {
    return createReadStream(await this.existingFile(key));
  }

  async list(prefix: string): Promise<string[]> {
    const base = validateArtifactKey(prefix, { prefix: true });
    let entries;
    try {
      entries = await readdir(this.localPath(base), { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) =>
        path.relative(this.root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
      )
      .sort();
  }

  /** The real path of a regular file for `key`, checked to lie inside the root even through symlinks. */
  private async existingFile(key: string): Promise<string> {
    const file = this.localPath(validateArtifactKey(key));
    let real: string;
    try {
      real = await realpath(file);
      if (!(await stat(real)).isFile()) throw new ArtifactNotFoundError(key);
    } catch (error) {
      if (error instanceof ArtifactNotFoundError || isMissing(error)) throw new ArtifactNotFoundError(key);
      throw error;
    }
    const root = await realpath(this.root);
    if (!real.startsWith(root + path.sep))
      throw new InvalidArtifactKeyError(key, 'resolves outside the store');
    return real;
  }
}

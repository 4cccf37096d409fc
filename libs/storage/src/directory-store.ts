import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArtifactData, ArtifactStore, ArtifactStream } from './artifact-store.js';
import { contentTypeOf } from './content-types.js';
import { ArtifactNotFoundError, InvalidArtifactKeyError } from './errors.js';
import { validateArtifactKey } from './keys.js';

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** Name of a write in progress beside its target; `list` skips these. */
const TEMP_FILE = /^\..+\.\d+-[0-9a-f]{8}\.part$/;

/** The default folder when neither ARTIFACTS_URL nor ARTIFACTS_DIR names one. */
export const DEFAULT_ARTIFACTS_DIR = './artifacts';

/**
 * An artifact store on a local (or shared, mounted) directory. A put writes a temporary file beside the target
 * and renames it over the target, so readers never see a half-written file.
 */
export class DirectoryArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string = DEFAULT_ARTIFACTS_DIR) {
    this.root = path.resolve(root);
  }

  get location(): string {
    return this.root;
  }

  /** The local path of a key or prefix (for tests and tools; processes go through put/get). */
  localPath(key: string): string {
    return path.join(this.root, ...validateArtifactKey(key, { prefix: true }).split('/').filter(Boolean));
  }

  async put(key: string, data: ArtifactData): Promise<void> {
    await this.writeAtomic(key, (tmp) =>
      data instanceof Readable ? pipeline(data, createWriteStream(tmp)) : writeFile(tmp, data),
    );
  }

  async putFile(key: string, file: string): Promise<void> {
    await this.writeAtomic(key, (tmp) => copyFile(file, tmp));
  }

  async get(key: string): Promise<Buffer> {
    return readFile(await this.existingFile(key));
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

  async stream(key: string): Promise<ArtifactStream> {
    const file = await this.existingFile(key);
    const { size } = await stat(file);
    return { body: createReadStream(file), size, contentType: contentTypeOf(key) };
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
      .filter((entry) => entry.isFile() && !TEMP_FILE.test(entry.name))
      .map((entry) =>
        path.relative(this.root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
      )
      .sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.localPath(validateArtifactKey(key)), { force: true });
  }

  private async writeAtomic(key: string, write: (tmp: string) => Promise<unknown>): Promise<void> {
    const file = this.localPath(validateArtifactKey(key));
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.part`,
    );
    try {
      await write(tmp);
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
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

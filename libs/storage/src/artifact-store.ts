import type { Readable } from 'node:stream';

/**
 * Where workers write artifacts and the API reads them. Keys are '/'-separated relative paths such as
 * `runs/<runId>/metrics.json`; implementations reject keys that could leave their root.
 */
export interface ArtifactStore {
  put(key: string, data: Buffer | Uint8Array | string): Promise<void>;
  /** @throws ArtifactNotFoundError */
  get(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /** Keys of every file under `prefix` ('' for all), recursively, sorted. */
  list(prefix: string): Promise<string[]>;
  /** @throws ArtifactNotFoundError */
  stream(key: string): Promise<Readable>;
  /**
   * A local filesystem path for a key or prefix, for code that writes a folder itself (the trainer's outDir).
   * Only stores backed by a local directory have it.
   */
  localPath?(key: string): string;
}

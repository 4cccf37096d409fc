import type { Readable } from 'node:stream';

/** What `put` stores: bytes, text (UTF-8) or a stream (read once, so a failed stream put is not retried). */
export type ArtifactData = Buffer | Uint8Array | string | Readable;

/** An object's body with what an HTTP answer needs to announce it. */
export interface ArtifactStream {
  body: Readable;
  /** Bytes. */
  size: number;
  contentType: string;
}

/**
 * Where every process writes and reads artifacts and checkpoints. Keys are '/'-separated relative paths such as
 * `runs/<runId>/metrics.json`; implementations reject keys that could leave their root. Writes are atomic: a
 * reader sees the previous object or the whole new one, never part of it.
 */
export interface ArtifactStore {
  /** Stores `data` under `key` (replacing it); `size` lets a stream be sent without buffering it. */
  put(key: string, data: ArtifactData, opts?: { size?: number }): Promise<void>;
  /** Stores a local file (streamed from disk; retried from the start when the store is briefly unreachable). */
  putFile(key: string, file: string): Promise<void>;
  /** @throws ArtifactNotFoundError */
  get(key: string): Promise<Buffer>;
  /** @throws ArtifactNotFoundError */
  stream(key: string): Promise<ArtifactStream>;
  exists(key: string): Promise<boolean>;
  /** Keys of every object under the folder `prefix` ('' for all), recursively, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes `key`; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Where the store is, for logs: never carries credentials. */
  readonly location: string;
}

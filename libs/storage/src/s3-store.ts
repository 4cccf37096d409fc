import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ArtifactData, ArtifactStore, ArtifactStream } from './artifact-store.js';
import { contentTypeOf } from './content-types.js';
import { ArtifactNotFoundError, ArtifactStoreUnavailableError } from './errors.js';
import { validateArtifactKey } from './keys.js';

/** How often and how patiently a request is repeated while the store is unavailable (network error, 5xx). */
export interface RetryPolicy {
  /** Tries in all (1: no retry). */
  attempts: number;
  /** Wait before the second try; it doubles each time (with jitter) up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Workers: about 30 s of retries, enough to ride out an object store restarting. */
export const WORKER_RETRY: RetryPolicy = { attempts: 9, baseDelayMs: 250, maxDelayMs: 8000 };
/** The API: none, it answers 503 at once and the client asks again. */
export const NO_RETRY: RetryPolicy = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket ('' or 'a/b'). @defaultValue '' */
  prefix?: string;
  /** An S3-compatible server (MinIO, s3rver). @defaultValue AWS */
  endpoint?: string;
  /** @defaultValue 'us-east-1' */
  region?: string;
  /** Bucket in the path, not the host name (MinIO, s3rver). @defaultValue true when an endpoint is given */
  forcePathStyle?: boolean;
  /** @defaultValue the AWS SDK's default chain (environment, profile, instance role) */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** @defaultValue WORKER_RETRY */
  retry?: RetryPolicy;
  /** Told before each retry (for a log line). @defaultValue none */
  onRetry?: (retry: RetryNotice) => void;
}

/** What a retry is about to do. */
export interface RetryNotice {
  /** The request ('put runs/r1/checkpoint/state.json'). */
  what: string;
  /** Tries so far. */
  tries: number;
  delayMs: number;
  /** The unavailable-store error's message (no credentials). */
  reason: string;
}

/** An endpoint without any user:password part, for messages. */
function displayEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.origin;
  } catch {
    return '(unparsable endpoint)';
  }
}

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * An artifact store in an S3 bucket (AWS, MinIO, s3rver). A PutObject is atomic by nature: readers see the
 * old object or the complete new one. Unavailable-store errors are retried per `retry`, then thrown as
 * ArtifactStoreUnavailableError; no error or location string carries credentials.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly retry: RetryPolicy;
  private readonly onRetry: (retry: RetryNotice) => void;
  private readonly secrets: string[];

  constructor(opts: S3StoreOptions) {
    this.bucket = opts.bucket;
    const prefix = validateArtifactKey(opts.prefix ?? '', { prefix: true });
    this.prefix = prefix === '' ? '' : `${prefix}/`;
    this.retry = opts.retry ?? WORKER_RETRY;
    this.onRetry = opts.onRetry ?? (() => undefined);
    this.secrets = [
      opts.credentials?.secretAccessKey,
      opts.credentials?.sessionToken,
      opts.credentials?.accessKeyId,
    ].filter((s): s is string => typeof s === 'string' && s.length > 0);
    this.location =
      `s3://${opts.bucket}/${this.prefix}` + (opts.endpoint ? ` at ${displayEndpoint(opts.endpoint)}` : '');
    this.client = new S3Client({
      region: opts.region ?? 'us-east-1',
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle ?? opts.endpoint !== undefined,
      credentials: opts.credentials,
      // With the defaults a streamed PutObject is sent aws-chunked, and servers other than AWS (s3rver) store
      // the chunk framing with the bytes.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Retries are this class's (one policy, one backoff), not the SDK's.
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 5000, requestTimeout: 120_000 },
    });
  }

  async put(key: string, data: ArtifactData, opts: { size?: number } = {}): Promise<void> {
    const Key = this.objectKey(key);
    if (data instanceof Readable && opts.size === undefined) data = await collect(data);
    const send = () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: data,
          ContentLength: opts.size,
          ContentType: contentTypeOf(key),
        }),
      );
    // A stream is consumed by the first try: it cannot be sent again.
    await this.attempt(`put ${key}`, send, data instanceof Readable ? NO_RETRY : this.retry);
  }

  async putFile(key: string, file: string): Promise<void> {
    const Key = this.objectKey(key);
    const { size } = await stat(file);
    await this.attempt(`put ${key}`, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: createReadStream(file),
          ContentLength: size,
          ContentType: contentTypeOf(key),
        }),
      ),
    );
  }

  async get(key: string): Promise<Buffer> {
    const Key = this.objectKey(key);
    return this.attempt(
      `get ${key}`,
      async () => {
        const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
        return Buffer.from(await answer.Body!.transformToByteArray());
      },
      this.retry,
      key,
    );
  }

  async stream(key: string): Promise<ArtifactStream> {
    const Key = this.objectKey(key);
    const answer = await this.attempt(
      `get ${key}`,
      () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key })),
      this.retry,
      key,
    );
    return {
      body: answer.Body as Readable,
      size: answer.ContentLength!,
      contentType: answer.ContentType ?? contentTypeOf(key),
    };
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.objectKey(key);
    try {
      await this.attempt(
        `head ${key}`,
        () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key })),
        this.retry,
        key,
      );
      return true;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = validateArtifactKey(prefix, { prefix: true });
    const Prefix = this.prefix + (base === '' ? '' : `${base}/`);
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.attempt(`list ${prefix}`, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken })),
      );
      for (const object of page.Contents ?? []) keys.push(object.Key!.slice(this.prefix.length));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    await this.attempt(`delete ${key}`, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })),
    );
  }

  /** Closes the client's connections. */
  destroy(): void {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    return this.prefix + validateArtifactKey(key);
  }

  /**
   * Runs one request, repeating it with exponential backoff while the store is unavailable. `notFoundKey`:
   * a 404 is ArtifactNotFoundError for that key.
   */
  private async attempt<T>(
    what: string,
    request: () => Promise<T>,
    retry: RetryPolicy = this.retry,
    notFoundKey?: string,
  ): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await request();
      } catch (error) {
        const mapped = this.mapError(error as SdkError, what, notFoundKey);
        if (!(mapped instanceof ArtifactStoreUnavailableError) || tries >= retry.attempts) throw mapped;
        const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (tries - 1));
        const delayMs = Math.round(ceiling * (0.5 + Math.random() / 2));
        this.onRetry({ what, tries, delayMs, reason: mapped.message });
        await sleep(delayMs);
      }
    }
  }

  private mapError(error: SdkError, what: string, notFoundKey?: string): Error {
    const status = error.$metadata?.httpStatusCode;
    if (
      notFoundKey !== undefined &&
      (status === 404 || error.name === 'NoSuchKey' || error.name === 'NotFound')
    )
      return new ArtifactNotFoundError(notFoundKey);
    const cause = this.redact(`${what}: ${error.name ?? 'Error'}: ${error.message ?? ''}`.trim());
    // No HTTP answer at all (refused, reset, timed out) or a server-side failure: try again later.
    if (status === undefined || status >= 500 || status === 429 || error.name === 'TimeoutError')
      return new ArtifactStoreUnavailableError(this.location, cause);
    return new Error(`artifact store ${this.location}: ${cause} (HTTP ${status})`);
  }

  private redact(text: string): string {
    return this.secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

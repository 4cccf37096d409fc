import { fileURLToPath } from 'node:url';
import type { ArtifactStore } from './artifact-store.js';
import { DEFAULT_ARTIFACTS_DIR, DirectoryArtifactStore } from './directory-store.js';
import { ArtifactStoreConfigError } from './errors.js';
import { S3ArtifactStore, WORKER_RETRY, type RetryNotice, type RetryPolicy } from './s3-store.js';

export interface ArtifactStoreFactoryOptions {
  /** For an S3 store. @defaultValue WORKER_RETRY */
  retry?: RetryPolicy;
  /** For an S3 store: told before each retry. @defaultValue a line to `log`, if given */
  onRetry?: (retry: RetryNotice) => void;
  /** Where a worker's log lines go (one per retry). @defaultValue none */
  log?: (line: string) => void;
}

function retryLine({ what, tries, delayMs, reason }: RetryNotice): string {
  return `${reason}; ${what}: try ${tries + 1} in ${delayMs} ms`;
}

/** The store's URL from the environment: ARTIFACTS_URL, else ARTIFACTS_DIR, else './artifacts'. */
export function artifactsUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.ARTIFACTS_URL || env.ARTIFACTS_DIR || DEFAULT_ARTIFACTS_DIR;
}

/**
 * The store a URL names: `s3://bucket[/prefix]` (endpoint, region and credentials from the environment:
 * S3_ENDPOINT or AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_REGION or AWS_DEFAULT_REGION,
 * S3_FORCE_PATH_STYLE, AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN] or the SDK's chain),
 * `file:///path` or a plain path (a directory).
 */
export function artifactStoreFromUrl(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  opts: ArtifactStoreFactoryOptions = {},
): ArtifactStore {
  if (url.startsWith('s3://')) {
    const [bucket = '', ...rest] = url.slice('s3://'.length).split('/');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      throw new ArtifactStoreConfigError(
        `ARTIFACTS_URL: '${bucket}' is not an S3 bucket name (s3://bucket/prefix)`,
      );
    const endpoint = env.S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
    const pathStyle = env.S3_FORCE_PATH_STYLE;
    if (pathStyle !== undefined && pathStyle !== '' && pathStyle !== 'true' && pathStyle !== 'false')
      throw new ArtifactStoreConfigError(`S3_FORCE_PATH_STYLE must be true or false, got '${pathStyle}'`);
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
    return new S3ArtifactStore({
      bucket,
      prefix: rest.join('/'),
      endpoint,
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
      forcePathStyle: pathStyle ? pathStyle === 'true' : undefined,
      credentials:
        accessKeyId && secretAccessKey
          ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined }
          : undefined,
      retry: opts.retry ?? WORKER_RETRY,
      onRetry: opts.onRetry ?? (opts.log && ((notice) => opts.log!(retryLine(notice)))),
    });
  }
  if (url.startsWith('file://')) return new DirectoryArtifactStore(fileURLToPath(url));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw new ArtifactStoreConfigError(
      `ARTIFACTS_URL: unsupported scheme in '${url.split('://')[0]}://' (use a path, file:// or s3://)`,
    );
  return new DirectoryArtifactStore(url);
}

/** The one way a process opens its artifact store: {@link artifactsUrlFromEnv} through {@link artifactStoreFromUrl}. */
export function createArtifactStore(
  env: NodeJS.ProcessEnv = process.env,
  opts: ArtifactStoreFactoryOptions = {},
): ArtifactStore {
  return artifactStoreFromUrl(artifactsUrlFromEnv(env), env, opts);
}

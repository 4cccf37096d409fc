export type { ArtifactData, ArtifactStore, ArtifactStream } from './artifact-store.js';
export { contentTypeOf } from './content-types.js';
export { DEFAULT_ARTIFACTS_DIR, DirectoryArtifactStore } from './directory-store.js';
export {
  ArtifactNotFoundError,
  ArtifactStoreConfigError,
  ArtifactStoreUnavailableError,
  InvalidArtifactKeyError,
} from './errors.js';
export {
  artifactStoreFromUrl,
  artifactsUrlFromEnv,
  createArtifactStore,
  type ArtifactStoreFactoryOptions,
} from './factory.js';
export { validateArtifactKey } from './keys.js';
export {
  NO_RETRY,
  S3ArtifactStore,
  WORKER_RETRY,
  type RetryNotice,
  type RetryPolicy,
  type S3StoreOptions,
} from './s3-store.js';
export { downloadPrefix, uploadFolder } from './sync.js';

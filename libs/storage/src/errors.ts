/** A key that is empty, absolute, or could leave the store's root (.., backslash, NUL). */
export class InvalidArtifactKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid artifact key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidArtifactKeyError';
  }
}

export class ArtifactNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`artifact ${JSON.stringify(key)} not found`);
    this.name = 'ArtifactNotFoundError';
  }
}

/**
 * The store could not be reached or failed on its side (network error, 5xx, timeout): worth retrying later,
 * an HTTP 503 for the API. The message names the store's location and the cause, never credentials.
 */
export class ArtifactStoreUnavailableError extends Error {
  constructor(location: string, cause: string) {
    super(`artifact store ${location} is unavailable: ${cause}`);
    this.name = 'ArtifactStoreUnavailableError';
  }
}

/** An ARTIFACTS_URL (or S3 setting) that names no usable store. */
export class ArtifactStoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactStoreConfigError';
  }
}

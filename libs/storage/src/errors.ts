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

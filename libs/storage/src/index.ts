export type { ArtifactStore } from './artifact-store.js';
export { DirectoryArtifactStore } from './directory-store.js';
export { ArtifactNotFoundError, InvalidArtifactKeyError } from './errors.js';
export { validateArtifactKey } from './keys.js';

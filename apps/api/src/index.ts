export { createApp, type AppOptions } from './app.js';
export { createDeps, type ApiDeps, type DepsConfig } from './deps.js';
export { openApiDocument } from './services/openapi.js';

import { createApp } from './app.js';
import { createDeps } from './deps.js';

/** Starts the API on PORT (default 3000); env: REDIS_URL, ARTIFACTS_DIR, API_TOKEN, BULL_PREFIX, CAM_REGISTRY_PREFIX. */
const port = Number(process.env.PORT ?? 3000);
const deps = createDeps();
const server = createApp(deps).listen(port, () => {
  console.log(`cam api listening on http://127.0.0.1:${port}`);
});
server.on('error', (error) => {
  console.error(`cam api: cannot listen on port ${port}: ${error.message}`);
  process.exit(1);
});

async function shutdown(signal: string): Promise<void> {
  console.log(`cam api: ${signal}, closing`);
  server.close();
  server.closeAllConnections();
  await deps.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

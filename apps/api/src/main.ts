import { createServer } from 'node:http';
import { closeOnSignals } from '@cam/process';
import { portFromEnv } from '@cam/queue';
import { createApp } from './app.js';
import { createDeps } from './deps.js';

/** Starts the API on PORT (default 3000); env: REDIS_URL, ARTIFACTS_DIR, API_TOKEN, BULL_PREFIX, CAM_REGISTRY_PREFIX. */
const port = portFromEnv();
const deps = createDeps();
// Not Express's app.listen(port, callback): Express 5 calls that callback on a listen error too.
const server = createServer(createApp(deps));
server.once('listening', () => console.log(`cam api listening on http://127.0.0.1:${port}`));
server.on('error', (error) => {
  console.error(`cam api: cannot listen on port ${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port);

closeOnSignals(
  async () => {
    server.close();
    server.closeAllConnections();
    await deps.close();
  },
  (line) => console.log(`cam api: ${line}`),
  'closing',
);

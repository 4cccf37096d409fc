// The CAM render worker process: `node --import tsx apps/renderer/src/main.ts`.
import { initBackend } from '@cam/model';
import { rendererConfigFromEnv } from './config.js';
import { startRenderer } from './worker.js';

const log = (line: string) => console.log(`${new Date().toISOString()} renderer ${process.pid}: ${line}`);

const config = rendererConfigFromEnv();
const backend = await initBackend();
log(`backend ${backend.backend}${backend.reason ? ` (${backend.reason})` : ''}`);
const renderer = startRenderer(config, log);
log(`waiting for batches on '${renderer.worker.name}' (up to ${config.modelCacheSize} models kept loaded)`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log(`${signal}: finishing the batch in progress`);
    renderer.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  });
}

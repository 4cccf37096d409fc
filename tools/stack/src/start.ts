// `npm start`: the API, the training and render workers, and Redis when none is configured.
import { closeOnSignals } from '@cam/process';
import { stackOptionsFrom, USAGE } from './config.js';
import { startStack } from './stack.js';

try {
  const options = stackOptionsFrom(process.argv.slice(2));
  const stack = await startStack(options);
  closeOnSignals(stack.stop, (line) => console.error(`[stack] ${line}`), 'stopping');
  void stack.apiExited.then(async ({ code, signal }) => {
    console.error(`[stack] the API exited (${signal ?? `code ${code}`}): stopping everything`);
    await stack.stop();
    process.exit(1);
  });
  console.log(
    `[stack] dashboard ${stack.apiUrl}/ (API ${stack.apiUrl}/v1, queues ${stack.apiUrl}/admin/queues), ` +
      `Redis ${stack.redis.url} ` +
      `(${stack.redis.source}), ${options.trainers} trainer(s), ${options.renderers} renderer(s), ` +
      `artifacts in ${stack.artifactsDir}. Ctrl-C stops.`,
  );
} catch (err) {
  console.error(`[stack] ${(err as Error).message}\n${USAGE}`);
  process.exit(1);
}

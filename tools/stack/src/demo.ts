// `npm run demo`: a seeded random search with ASHA through the HTTP API, then CAMs of 16 test digits into ./out/.
import { closeOnSignals } from '@cam/process';
import { DEMO_USAGE, demoOptionsFrom } from './config.js';
import { runDemo } from './demo-run.js';

try {
  const options = demoOptionsFrom(process.argv.slice(2));
  await runDemo({
    ...options,
    onStackStarted: (stack) =>
      closeOnSignals(stack.stop, (line) => console.error(`[stack] ${line}`), 'stopping'),
  });
  process.exit(0);
} catch (err) {
  console.error(`demo failed: ${(err as Error).message} (child output in out/stack.log)\n${DEMO_USAGE}`);
  process.exit(1);
}

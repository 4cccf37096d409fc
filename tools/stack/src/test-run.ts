// `npm test`: runs the command given (the projects' tests) with a Redis at 127.0.0.1:6379, started for the
// run and stopped after when redis-server is installed but nothing answers there. The dashboard is built
// first, once: the stacks that tests start in parallel would otherwise each build it into the same folder.
import { spawn } from 'node:child_process';
import { onStopSignals } from '@cam/process';
import { ensureDashboardBuilt } from './dashboard.js';
import { withLocalRedis } from './redis.js';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error('Usage: test-run.ts COMMAND [ARGS...]');
  process.exit(2);
}
// Ctrl-C reaches the command too (same process group): outlive it, so that Redis is stopped after.
onStopSignals(() => undefined);
await ensureDashboardBuilt();
const code = await withLocalRedis(
  () =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, { stdio: 'inherit' });
      child.once('error', reject);
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    }),
);
process.exit(code);

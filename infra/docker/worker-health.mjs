// HEALTHCHECK of a worker container: healthy while a BullMQ worker named after this container's hostname is
// connected to Redis on the queue given as the argument (the trainer and renderer name their workers so).
//   node infra/docker/worker-health.mjs training|cam-render
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const queueName = process.argv[2];
if (!queueName) {
  console.error('usage: worker-health.mjs <queue name>');
  process.exit(2);
}
setTimeout(() => process.exit(1), 5000).unref();
const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const queue = new Queue(queueName, { connection, prefix: process.env.BULL_PREFIX || 'bull' });
try {
  const workers = await queue.getWorkers();
  const mine = workers.filter((w) => w.rawname.endsWith(`:w:${hostname()}`));
  console.log(`${mine.length} worker(s) of ${hostname()} on ${queueName}`);
  process.exitCode = mine.length > 0 ? 0 : 1;
} catch (err) {
  console.error(`health check failed: ${err.message}`);
  process.exitCode = 1;
} finally {
  await queue.close();
  connection.disconnect();
}

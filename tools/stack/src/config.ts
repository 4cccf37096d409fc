import { parseArgs } from 'node:util';
import { envText } from '@cam/queue';
import type { DemoOptions } from './demo-run.js';
import type { StackOptions } from './stack.js';

/** Reads a whole number >= 0 from a flag or an environment variable, naming it when it is not one. */
function count(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number >= 0, got '${text}'`);
  return value;
}

export const USAGE = `Usage: npm start -- [--port N] [--trainers N] [--renderers N] [--artifacts DIR]
  Also from the environment: PORT (3000), TRAINERS (2), RENDERERS (1), ARTIFACTS_DIR (./artifacts), REDIS_URL.
  Redis: REDIS_URL, else 127.0.0.1:6379 if it answers, else a redis-server from PATH on a free port.`;

/** Stack options from command-line flags, falling back to environment variables, then the defaults. */
export function stackOptionsFrom(argv: string[], env: NodeJS.ProcessEnv = process.env): StackOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      trainers: { type: 'string' },
      renderers: { type: 'string' },
      artifacts: { type: 'string' },
    },
    strict: true,
  });
  const port = count('--port / PORT', values.port ?? envText(env, 'PORT'), 3000);
  if (port < 1 || port > 65535) throw new Error(`--port / PORT must be 1..65535, got ${port}`);
  return {
    port,
    trainers: count('--trainers / TRAINERS', values.trainers ?? envText(env, 'TRAINERS'), 2),
    renderers: count('--renderers / RENDERERS', values.renderers ?? envText(env, 'RENDERERS'), 1),
    artifactsDir: values.artifacts ?? envText(env, 'ARTIFACTS_DIR'),
  };
}

export const DEMO_USAGE = `Usage: npm run demo -- [--train-size N] [--epochs N] [--samples N] [--seed N] [--out DIR]
  A seeded random search (learning rate, batch size, schedule) with ASHA early stopping.
  Defaults: 2500 training images (a fifth held out for validation), 6 epochs, 4 samples, seed 1, ./out.
  PORT picks the API port.`;

/** Demo options from command-line flags (the sizes of the sweep's runs and the output folder). */
export function demoOptionsFrom(argv: string[]): DemoOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'train-size': { type: 'string' },
      epochs: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const options: DemoOptions = {};
  if (values['train-size'] !== undefined) options.trainSize = count('--train-size', values['train-size'], 0);
  if (values.epochs !== undefined) options.epochs = count('--epochs', values.epochs, 0);
  if (values.samples !== undefined) options.samples = count('--samples', values.samples, 0);
  if (values.seed !== undefined) options.seed = count('--seed', values.seed, 0);
  if (options.trainSize === 0 || options.epochs === 0 || options.samples === 0)
    throw new Error('--train-size, --epochs and --samples must be at least 1');
  if (values.out !== undefined) options.outDir = values.out;
  return options;
}

import { artifactsUrlFromEnv } from '@cam/storage';

/**
 * The environment of the services (API, trainer, renderer, the stack that starts them), parsed in one
 * place so that every process reads a variable the same way: an empty value counts as unset everywhere.
 */

/** A variable's value, or undefined when it is unset or empty. */
export function envText(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const text = env[name];
  return text === undefined || text === '' ? undefined : text;
}

/**
 * A whole number from the environment: `fallback` when unset or empty, else the value when it is an
 * integer of at least `min`; anything else throws, naming the variable.
 */
export function envInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  opts: { min: number; max?: number },
): number | undefined;
export function envInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  opts: { min: number; max?: number; fallback: number },
): number;
export function envInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  opts: { min: number; max?: number; fallback?: number },
): number | undefined {
  const text = envText(env, name);
  if (text === undefined) return opts.fallback;
  const value = Number(text);
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(value) || value < opts.min || value > max) {
    const kind =
      opts.max !== undefined
        ? `a whole number ${opts.min}..${opts.max}`
        : opts.min === 1
          ? 'a positive whole number'
          : `a whole number >= ${opts.min}`;
    throw new Error(`${name} must be ${kind}, got '${text}'`);
  }
  return value;
}

/** What the API and the workers share: where Redis is, the key prefixes they meet under, the artifact folder. */
export interface ServiceEnv {
  /** REDIS_URL. Unset: @cam/queue's DEFAULT_REDIS_URL (the stack then finds or starts a Redis itself). */
  redisUrl: string | undefined;
  /** BULL_PREFIX: BullMQ key prefix; the API and the workers must agree. @defaultValue 'bull' */
  bullPrefix: string;
  /** CAM_REGISTRY_PREFIX: registry key prefix; the API and the workers must agree. @defaultValue 'cam' */
  registryPrefix: string;
  /** ARTIFACTS_URL (a folder, file:// or s3://bucket/prefix), else ARTIFACTS_DIR: the artifact store shared by the API and the workers (@cam/storage). @defaultValue './artifacts' */
  artifactsUrl: string;
}

export const SERVICE_ENV_DEFAULTS = {
  bullPrefix: 'bull',
  registryPrefix: 'cam',
} as const;

export function serviceEnv(env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  return {
    redisUrl: envText(env, 'REDIS_URL'),
    bullPrefix: envText(env, 'BULL_PREFIX') ?? SERVICE_ENV_DEFAULTS.bullPrefix,
    registryPrefix: envText(env, 'CAM_REGISTRY_PREFIX') ?? SERVICE_ENV_DEFAULTS.registryPrefix,
    artifactsUrl: artifactsUrlFromEnv(env),
  };
}

/** PORT: the API's port. @defaultValue 3000 */
export function portFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return envInteger(env, 'PORT', { min: 1, max: 65535, fallback: 3000 });
}

import { artifactsUrlFromEnv } from '@cam/storage';

/** Settings of a render worker process, read from its environment. */
export interface RendererConfig {
  /** REDIS_URL @defaultValue 'redis://127.0.0.1:6379' (via @cam/queue) */
  redisUrl?: string;
  /** ARTIFACTS_URL (a folder, file:// or s3://bucket/prefix), else ARTIFACTS_DIR. @defaultValue './artifacts' */
  artifactsUrl: string;
  /** BULL_PREFIX, the same in the API. @defaultValue 'bull' */
  bullPrefix: string;
  /** MODEL_CACHE_SIZE: models kept loaded, least recently used evicted and disposed. @defaultValue 3 */
  modelCacheSize: number;
}

export function rendererConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RendererConfig {
  const cacheText = env.MODEL_CACHE_SIZE || '3';
  const modelCacheSize = Number(cacheText);
  if (!Number.isInteger(modelCacheSize) || modelCacheSize < 1) {
    throw new Error(`MODEL_CACHE_SIZE must be a whole number >= 1, got '${cacheText}'`);
  }
  return {
    redisUrl: env.REDIS_URL || undefined,
    artifactsUrl: artifactsUrlFromEnv(env),
    bullPrefix: env.BULL_PREFIX || 'bull',
    modelCacheSize,
  };
}

import { type ServiceEnv, envInteger, serviceEnv } from '@cam/queue';

/** Settings of a render worker process, read from its environment. */
export interface RendererConfig extends ServiceEnv {
  /** MODEL_CACHE_SIZE: models kept loaded, least recently used evicted and disposed. @defaultValue 3 */
  modelCacheSize: number;
}

export function rendererConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RendererConfig {
  return {
    ...serviceEnv(env),
    modelCacheSize: envInteger(env, 'MODEL_CACHE_SIZE', { min: 1, fallback: 3 }),
  };
}

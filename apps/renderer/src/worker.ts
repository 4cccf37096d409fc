import { hostname } from 'node:os';
import { MODEL_FILE, loadModelFromStore } from '@cam/model';
import { QUEUE_NAMES, redisConnection, runArtifactsPrefix, type CamJob, type CamJobResult } from '@cam/queue';
import { artifactStoreFromUrl } from '@cam/storage';
import type * as tf from '@tensorflow/tfjs';
import { UnrecoverableError, Worker } from 'bullmq';
import type { RendererConfig } from './config.js';
import { DatasetSplits } from './images.js';
import { ModelCache } from './model-cache.js';
import { camRenderProcessor } from './processor.js';

export interface Renderer {
  worker: Worker<CamJob, CamJobResult>;
  models: ModelCache<tf.LayersModel>;
  /** Finishes the batch in progress, closes the connection, disposes the models. */
  close(): Promise<void>;
}

/** A BullMQ worker on the `cam-render` queue, one batch at a time, with an LRU of loaded models. */
export function startRenderer(config: RendererConfig, log: (line: string) => void): Renderer {
  const store = artifactStoreFromUrl(config.artifactsUrl, process.env, { log });
  const models = new ModelCache<tf.LayersModel>(async (runId) => {
    const prefix = runArtifactsPrefix(runId);
    // Retrying cannot make a model appear (the API only accepts batches of completed runs).
    if (!(await store.exists(`${prefix}/${MODEL_FILE}`)))
      throw new UnrecoverableError(
        `run ${runId} has no model (no ${prefix}/${MODEL_FILE} in ${store.location})`,
      );
    log(`loading the model of run ${runId} from ${store.location}`);
    return loadModelFromStore(store, prefix);
  }, config.modelCacheSize);
  const processor = camRenderProcessor({ models, splits: new DatasetSplits(), store, log });
  const worker = new Worker<CamJob, CamJobResult>(QUEUE_NAMES.camRender, processor, {
    connection: redisConnection(config.redisUrl),
    prefix: config.bullPrefix,
    // The container health check (infra/docker/worker-health.mjs) looks for a worker named after the hostname.
    name: hostname(),
    concurrency: 1,
  });
  worker.on('failed', (job, err) => log(`batch ${job?.id} failed: ${err.message}`));
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= worker.close().then(() => models.clear()));
  return { worker, models, close };
}

import { hostname } from 'node:os';
import { MODEL_FILE, loadModelFromStore } from '@cam/model';
import {
  QUEUE_NAMES,
  redisConnection,
  runArtifactsPrefix,
  type CamEvaluationJob,
  type CamEvaluationResult,
  type CamJob,
  type CamJobResult,
} from '@cam/queue';
import { artifactStoreFromUrl } from '@cam/storage';
import type * as tf from '@tensorflow/tfjs';
import { UnrecoverableError, Worker } from 'bullmq';
import type { RendererConfig } from './config.js';
import { DatasetSplits } from './images.js';
import { ModelCache } from './model-cache.js';
import { camEvaluationProcessor } from './evaluation-processor.js';
import { camRenderProcessor } from './processor.js';

export interface Renderer {
  worker: Worker<CamJob, CamJobResult>;
  /** The same process's worker on the `cam-evaluation` queue (sharing the loaded models). */
  evaluationWorker: Worker<CamEvaluationJob, CamEvaluationResult>;
  models: ModelCache<tf.LayersModel>;
  /** Finishes the batch in progress, closes the connection, disposes the models. */
  close(): Promise<void>;
}

/**
 * BullMQ workers on the `cam-render` and `cam-evaluation` queues, one job at a time each, sharing an LRU of
 * loaded models.
 */
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
  const splits = new DatasetSplits();
  const options = () => ({
    connection: redisConnection(config.redisUrl),
    prefix: config.bullPrefix,
    // The container health check (infra/docker/worker-health.mjs) looks for a worker named after the hostname.
    name: hostname(),
    concurrency: 1,
  });
  const worker = new Worker<CamJob, CamJobResult>(
    QUEUE_NAMES.camRender,
    camRenderProcessor({ models, splits, store, log }),
    options(),
  );
  const evaluationWorker = new Worker<CamEvaluationJob, CamEvaluationResult>(
    QUEUE_NAMES.camEvaluation,
    camEvaluationProcessor({ models, splits, store, log }),
    options(),
  );
  worker.on('failed', (job, err) => log(`batch ${job?.id} failed: ${err.message}`));
  evaluationWorker.on('failed', (job, err) => log(`evaluation ${job?.id} failed: ${err.message}`));
  for (const w of [worker, evaluationWorker]) w.on('error', (err) => log(`worker error: ${err.message}`));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= Promise.all([worker.close(), evaluationWorker.close()]).then(() => models.clear()));
  return { worker, evaluationWorker, models, close };
}

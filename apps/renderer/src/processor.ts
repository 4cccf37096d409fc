import type * as tf from '@tensorflow/tfjs';
import { cachedCamHead, encodeCamBatch, methodForLayer, renderCamBatch } from '@cam/cam';
import { camBatchArtifactsPrefix, CamJobSchema, type CamJob, type CamJobResult } from '@cam/queue';
import type { ArtifactStore } from '@cam/storage';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { BadCamInputError, camInputItems, type DatasetSplits } from './images.js';
import type { ModelCache } from './model-cache.js';

/** What the processors of the render worker process share (the render and the evaluation queue's). */
export interface CamRenderDeps {
  /** Models by run id. */
  models: ModelCache<tf.LayersModel>;
  splits: DatasetSplits;
  /** Where the batch's files go. */
  store: ArtifactStore;
  log: (line: string) => void;
}

/**
 * The BullMQ processor of the `cam-render` queue: renders the job's images with the run's model, puts the files
 * into the store under cam-batches/<batchId>/ (manifest.json last) and returns what it wrote. Inputs that can never render (bad PNG, index
 * out of range, invalid payload) fail without retry.
 */
export function camRenderProcessor(deps: CamRenderDeps) {
  return async (job: Job<CamJob, CamJobResult>): Promise<CamJobResult> => {
    const parsed = CamJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`job ${job.id} is not a CAM job: ${z.prettifyError(parsed.error)}`);
    const request = parsed.data;
    const started = Date.now();
    let items;
    try {
      items = await camInputItems(request, deps);
    } catch (err) {
      if (err instanceof BadCamInputError) throw new UnrecoverableError(err.message);
      throw err;
    }
    const model = await deps.models.get(request.runId);
    try {
      methodForLayer(request.method, cachedCamHead(model, request.layer));
    } catch (err) {
      // An unknown layer, or one the method is not defined on: no retry can change that.
      if (err instanceof RangeError) throw new UnrecoverableError(err.message);
      throw err;
    }
    const batch = await renderCamBatch(model, items, {
      method: request.method,
      layer: request.layer,
      target: request.target,
      colormap: request.colormap,
      size: request.size,
      alpha: request.alpha,
      montage: true,
    });
    const { files, manifest } = encodeCamBatch(batch);
    if (manifest.montage === null)
      throw new Error(`batch ${request.batchId}: the CAM library rendered no montage`);
    const prefix = camBatchArtifactsPrefix(request.batchId);
    for (const { name, data } of files) await deps.store.put(`${prefix}/${name}`, data);
    deps.log(
      `batch ${request.batchId}: ${items.length} ${request.method} maps of run ${request.runId} in ${Date.now() - started} ms`,
    );
    return {
      batchId: request.batchId,
      items: manifest.items.map(({ index, label, predicted, target, probabilities, png }) => ({
        index,
        label,
        predicted,
        target,
        probabilities,
        file: png,
      })),
      montage: manifest.montage,
      npy: manifest.npy.file,
    };
  };
}

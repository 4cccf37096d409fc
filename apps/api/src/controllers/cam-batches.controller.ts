import type { NextFunction, Request, Response } from 'express';
import {
  CamBatchRequestSchema,
  CamJobResultSchema,
  DATASET_SPLIT_SIZES,
  camBatchArtifactsPrefix,
  isId,
  newId,
  type CamBatchRecord,
  type CamBatchRequest,
  type CamJob,
} from '@cam/queue';
import type { ApiDeps } from '../deps.js';
import { badRequest, notFound, parseInput } from '../errors.js';
import type { CamBatchView } from '@cam/contracts';
import { sendArtifact } from '../services/files.js';
import { toJobState } from '../services/job-state.js';
import type { PngChecker } from '../services/png.js';
import { completedRun } from '../services/runs.js';

async function findBatch(deps: ApiDeps, id: string): Promise<CamBatchRecord> {
  const batch = isId(id, 'camBatch') ? await deps.registry.getCamBatch(id) : null;
  if (batch === null) throw notFound('CAM batch', id);
  return batch;
}

/** A request that passed step 1, with the split defaulted and the run's dataset. */
interface AcceptedBatch {
  request: CamBatchRequest;
  split: CamJob['split'];
  dataset: CamJob['dataset'];
}

export function camBatchesController(deps: ApiDeps, pngChecker: PngChecker) {
  const fileUrl = (batchId: string, name: string) =>
    `/v1/cam-batches/${batchId}/files/${encodeURIComponent(name)}`;
  return {
    /**
     * POST /v1/cam-batches, step 1 of 3: the request, the run (404; 409 while it has not completed) and the
     * indices' range; the checked request waits in res.locals.
     */
    async accept(req: Request, res: Response): Promise<void> {
      const request = parseInput(CamBatchRequestSchema, req.body);
      const run = await completedRun(deps, request.runId);
      const split = request.indices === undefined ? undefined : (request.split ?? 'test');
      if (split !== undefined) {
        const size = DATASET_SPLIT_SIZES[run.params.dataset][split];
        request.indices?.forEach((index, i) => {
          if (index >= size)
            throw badRequest(
              `indices.${i}`,
              `${index} is out of range: ${run.params.dataset} ${split} has ${size} images`,
            );
        });
      }
      const accepted: AcceptedBatch = { request, split, dataset: run.params.dataset };
      res.locals['camBatch'] = accepted;
    },

    /** Step 2: uploaded images decoded as the renderer will, in a thread (400 naming the one it cannot read). */
    async checkImages(_req: Request, res: Response, next: NextFunction): Promise<void> {
      const { request } = res.locals['camBatch'] as AcceptedBatch;
      if (request.images !== undefined) await pngChecker.check(request.images);
      next();
    },

    /** Step 3: 202 once the render job is queued. */
    async create(_req: Request, res: Response): Promise<void> {
      const { request, split, dataset } = res.locals['camBatch'] as AcceptedBatch;
      const batchId = newId('camBatch');
      const job: CamJob = { ...request, split, batchId, dataset };
      await deps.registry.createCamBatch({
        id: batchId,
        runId: request.runId,
        createdAt: new Date().toISOString(),
        request,
      });
      await deps.queues.camRender.add('render', job, { jobId: batchId });
      res.status(202).location(`/v1/cam-batches/${batchId}`).json({ id: batchId });
    },

    /** GET /v1/cam-batches/:id: state, and once rendered the items with URLs of their files. */
    async get(req: Request<{ id: string }>, res: Response): Promise<void> {
      const batch = await findBatch(deps, req.params.id);
      // The state first: a job read after it is at least as new, so a failed one carries its reason.
      const bullState = await deps.queues.camRender.getJobState(batch.id);
      const job = await deps.queues.camRender.getJob(batch.id);
      const result = CamJobResultSchema.safeParse(job?.returnvalue);
      const rendered = bullState === 'completed' && result.success ? result.data : null;
      const body: CamBatchView = {
        id: batch.id,
        runId: batch.runId,
        state: toJobState(bullState, false),
        items: (rendered?.items ?? []).map(({ file, ...item }) => ({
          ...item,
          png: fileUrl(batch.id, file),
        })),
        montage: rendered === null ? null : fileUrl(batch.id, rendered.montage),
        npy: rendered === null ? null : fileUrl(batch.id, rendered.npy),
        settings: {
          method: batch.request.method,
          target: batch.request.target,
          colormap: batch.request.colormap,
          size: batch.request.size,
          alpha: batch.request.alpha,
          split: batch.request.indices === undefined ? null : (batch.request.split ?? 'test'),
          indices: batch.request.indices ?? null,
        },
        failure: bullState === 'failed' ? (job?.failedReason ?? null) : null,
      };
      res.json(body);
    },

    /** GET /v1/cam-batches/:id/files/:name: item PNGs, montage.png, cams.npy, manifest.json. */
    async file(req: Request<{ id: string; name: string }>, res: Response): Promise<void> {
      const batch = await findBatch(deps, req.params.id);
      await sendArtifact(deps.store, camBatchArtifactsPrefix(batch.id), req.params.name, res);
    },
  };
}

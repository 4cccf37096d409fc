import type { Request, Response } from 'express';
import {
  CamBatchRequestSchema,
  CamJobResultSchema,
  DATASET_SPLIT_SIZES,
  camBatchArtifactsPrefix,
  isId,
  newId,
  type CamBatchRecord,
  type CamJob,
} from '@cam/queue';
import type { ApiDeps } from '../deps.js';
import { HttpError, badRequest, notFound, parseInput } from '../errors.js';
import type { CamBatchView } from '../schemas.js';
import { sendArtifact } from '../services/files.js';
import { toJobState } from '../services/job-state.js';
import { checkPngImages } from '../services/png.js';
import { snapshotRun } from '../services/runs.js';

async function findBatch(deps: ApiDeps, id: string): Promise<CamBatchRecord> {
  const batch = isId(id, 'camBatch') ? await deps.registry.getCamBatch(id) : null;
  if (batch === null) throw notFound('CAM batch', id);
  return batch;
}

export function camBatchesController(deps: ApiDeps) {
  const fileUrl = (batchId: string, name: string) =>
    `/v1/cam-batches/${batchId}/files/${encodeURIComponent(name)}`;
  return {
    /** POST /v1/cam-batches: 202 once the render job is queued; 409 while the run has no model (not completed or stopped). */
    async create(req: Request, res: Response): Promise<void> {
      const request = parseInput(CamBatchRequestSchema, req.body);
      const run = await deps.registry.getRun(request.runId);
      if (run === null) throw notFound('run', request.runId);
      const { state } = await snapshotRun(deps, run);
      if (state !== 'completed' && state !== 'stopped') {
        throw new HttpError(409, 'run_not_completed', `run ${run.id} is ${state}, not completed or stopped`, {
          runId: run.id,
          state,
        });
      }
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
      if (request.images !== undefined) checkPngImages(request.images);
      const batchId = newId('camBatch');
      const job: CamJob = { ...request, split, batchId, dataset: run.params.dataset };
      await deps.registry.createCamBatch({
        id: batchId,
        runId: run.id,
        createdAt: new Date().toISOString(),
        request,
      });
      await deps.queues.camRender.add('render', job, { jobId: batchId });
      res.status(202).location(`/v1/cam-batches/${batchId}`).json({ id: batchId });
    },

    /** GET /v1/cam-batches/:id: state, and once rendered the items with URLs of their files. */
    async get(req: Request<{ id: string }>, res: Response): Promise<void> {
      const batch = await findBatch(deps, req.params.id);
      const job = await deps.queues.camRender.getJob(batch.id);
      const bullState = job === undefined ? 'unknown' : await job.getState();
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

import type { NextFunction, Request, Response } from 'express';
import {
  CamJobResultSchema,
  DATASET_SPLIT_SIZES,
  camBatchArtifactsPrefix,
  camBatchUploadKey,
  isId,
  newId,
  type CamBatchRecord,
  type CamJob,
} from '@cam/queue';
import type { ApiDeps } from '../deps.js';
import { badRequest, notFound } from '../errors.js';
import type { CamBatchView } from '@cam/contracts';
import type { CamBatchBody, CamBatchBodyReader } from '../services/cam-batch-body.js';
import { sendArtifact } from '../services/files.js';
import { toJobState } from '../services/job-state.js';
import { completedRun } from '../services/runs.js';

async function findBatch(deps: ApiDeps, id: string): Promise<CamBatchRecord> {
  const batch = isId(id, 'camBatch') ? await deps.registry.getCamBatch(id) : null;
  if (batch === null) throw notFound('CAM batch', id);
  return batch;
}

/** A request that passed steps 1 and 2: its body read, the batch's id, the split defaulted and the run's dataset. */
interface AcceptedBatch extends CamBatchBody {
  batchId: string;
  split: CamJob['split'];
  dataset: CamJob['dataset'];
}

export function camBatchesController(deps: ApiDeps, bodyReader: CamBatchBodyReader) {
  const fileUrl = (batchId: string, name: string) =>
    `/v1/cam-batches/${batchId}/files/${encodeURIComponent(name)}`;
  return {
    /**
     * POST /v1/cam-batches, step 1 of 4: the raw body parsed, checked and its PNGs decoded, in a thread when
     * large (400 naming the field or the image); the result waits in res.locals.
     */
    async read(req: Request, res: Response, next: NextFunction): Promise<void> {
      // No body at all leaves req.body unset (requireJson turns most such requests away first).
      res.locals['camBatchBody'] = await bodyReader.read(
        Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      );
      next();
    },

    /** Step 2: the run (404; 409 while it has not completed) and the indices' range. */
    async accept(_req: Request, res: Response): Promise<void> {
      const body = res.locals['camBatchBody'] as CamBatchBody;
      const { settings } = body;
      const run = await completedRun(deps, settings.runId);
      const split = settings.indices === undefined ? undefined : (settings.split ?? 'test');
      if (split !== undefined) {
        const size = DATASET_SPLIT_SIZES[run.params.dataset][split];
        settings.indices?.forEach((index, i) => {
          if (index >= size)
            throw badRequest(
              `indices.${i}`,
              `${index} is out of range: ${run.params.dataset} ${split} has ${size} images`,
            );
        });
      }
      const accepted: AcceptedBatch = {
        ...body,
        batchId: newId('camBatch'),
        split,
        dataset: run.params.dataset,
      };
      res.locals['camBatch'] = accepted;
    },

    /** Step 3: the uploaded PNGs into the artifact store, where the renderer reads them (outside Redis's deadline). */
    async storeUploads(_req: Request, res: Response, next: NextFunction): Promise<void> {
      const { batchId, pngs } = res.locals['camBatch'] as AcceptedBatch;
      await Promise.all(
        (pngs ?? []).map((png, i) =>
          deps.store.put(
            camBatchUploadKey(batchId, i),
            Buffer.from(png.buffer, png.byteOffset, png.byteLength),
          ),
        ),
      );
      next();
    },

    /** Step 4: 202 once the batch is recorded and its render job queued (the PNGs only counted in either). */
    async create(_req: Request, res: Response): Promise<void> {
      const { settings, pngs, batchId, split, dataset } = res.locals['camBatch'] as AcceptedBatch;
      const uploads = pngs === null ? undefined : pngs.length;
      const job: CamJob = { ...settings, split, batchId, dataset, uploads };
      await deps.registry.createCamBatch({
        id: batchId,
        runId: settings.runId,
        createdAt: new Date().toISOString(),
        request: settings,
        uploads,
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

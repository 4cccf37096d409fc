import type { Request, Response } from 'express';
import {
  CamEvaluationRequestSchema,
  CamEvaluationResultSchema,
  camEvaluationArtifactsPrefix,
  isId,
  newId,
  type CamEvaluationJob,
  type CamEvaluationRecord,
} from '@cam/queue';
import type { ApiDeps } from '../deps.js';
import { notFound, parseInput } from '../errors.js';
import type { CamEvaluationView } from '@cam/contracts';
import { sendArtifact } from '../services/files.js';
import { toJobState } from '../services/job-state.js';
import { completedRun } from '../services/runs.js';

async function findEvaluation(deps: ApiDeps, id: string): Promise<CamEvaluationRecord> {
  const evaluation = isId(id, 'camEvaluation') ? await deps.registry.getCamEvaluation(id) : null;
  if (evaluation === null) throw notFound('CAM evaluation', id);
  return evaluation;
}

export function camEvaluationsController(deps: ApiDeps) {
  const fileUrl = (id: string, name: string) => `/v1/cam-evaluations/${id}/files/${encodeURIComponent(name)}`;
  return {
    /** POST /v1/cam-evaluations: 202 once the evaluation job is queued; 409 while the run has not completed. */
    async create(req: Request, res: Response): Promise<void> {
      const request = parseInput(CamEvaluationRequestSchema, req.body);
      const run = await completedRun(deps, request.runId);
      const evaluationId = newId('camEvaluation');
      const job: CamEvaluationJob = { ...request, evaluationId, dataset: run.params.dataset };
      await deps.registry.createCamEvaluation({
        id: evaluationId,
        runId: run.id,
        createdAt: new Date().toISOString(),
        request,
      });
      await deps.queues.camEvaluation.add('evaluate', job, { jobId: evaluationId });
      res.status(202).location(`/v1/cam-evaluations/${evaluationId}`).json({ id: evaluationId });
    },

    /** GET /v1/cam-evaluations/:id: state, and once done every row and the URLs of its files. */
    async get(req: Request<{ id: string }>, res: Response): Promise<void> {
      const evaluation = await findEvaluation(deps, req.params.id);
      // The state first: a job read after it is at least as new, so a failed one carries its reason.
      const bullState = await deps.queues.camEvaluation.getJobState(evaluation.id);
      const job = await deps.queues.camEvaluation.getJob(evaluation.id);
      const result = CamEvaluationResultSchema.safeParse(job?.returnvalue);
      const done = bullState === 'completed' && result.success ? result.data : null;
      const body: CamEvaluationView = {
        id: evaluation.id,
        runId: evaluation.runId,
        request: evaluation.request,
        state: toJobState(bullState, false),
        error: bullState === 'failed' ? (job?.failedReason ?? null) : null,
        result:
          done === null
            ? null
            : {
                count: done.count,
                accuracy: done.accuracy,
                layer: done.layer,
                rows: done.rows,
                files: Object.fromEntries(done.files.map((f) => [f, fileUrl(evaluation.id, f)])),
              },
      };
      res.json(body);
    },

    /** GET /v1/cam-evaluations/:id/files/:name: evaluation.json, evaluation.md, curves.png. */
    async file(req: Request<{ id: string; name: string }>, res: Response): Promise<void> {
      const evaluation = await findEvaluation(deps, req.params.id);
      await sendArtifact(deps.store, camEvaluationArtifactsPrefix(evaluation.id), req.params.name, res);
    },
  };
}

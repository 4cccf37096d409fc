import { encodeEvaluation, evaluateOnDataset } from '@cam/cam';
import {
  CamEvaluationJobSchema,
  camEvaluationArtifactsPrefix,
  type CamEvaluationJob,
  type CamEvaluationResult,
} from '@cam/queue';
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import type { CamRenderDeps } from './processor.js';

/**
 * The BullMQ processor of the `cam-evaluation` queue: every asked method and the baselines on every metric
 * of the run's first `count` test digits, put into the store under cam-evaluations/<evaluationId>/. A layer
 * the model lacks or a method cannot read fails without retry.
 */
export function camEvaluationProcessor(deps: CamRenderDeps) {
  return async (job: Job<CamEvaluationJob, CamEvaluationResult>): Promise<CamEvaluationResult> => {
    const parsed = CamEvaluationJobSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`job ${job.id} is not a CAM evaluation: ${z.prettifyError(parsed.error)}`);
    const request = parsed.data;
    const started = Date.now();
    const model = await deps.models.get(request.runId);
    const set = await deps.splits.get(request.dataset, 'test');
    let report;
    try {
      report = await evaluateOnDataset(model, set, {
        ...request,
        log: (line) => deps.log(`evaluation ${request.evaluationId}: ${line}`),
      });
    } catch (err) {
      // The evaluation checks its inputs (layer, methods on it, count) before any work: no retry helps.
      if (err instanceof RangeError) throw new UnrecoverableError(err.message);
      throw err;
    }
    const prefix = camEvaluationArtifactsPrefix(request.evaluationId);
    const files: string[] = [];
    for (const { name, data } of encodeEvaluation(report)) {
      await deps.store.put(`${prefix}/${name}`, data);
      files.push(name);
    }
    deps.log(
      `evaluation ${request.evaluationId}: ${request.methods.join(',')} on ${report.count} digits of run ${request.runId} in ${Date.now() - started} ms`,
    );
    return {
      evaluationId: request.evaluationId,
      count: report.count,
      accuracy: report.accuracy,
      layer: report.layer,
      rows: report.rows,
      files,
    };
  };
}

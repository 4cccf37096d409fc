import { describe, expect, it } from 'vitest';
import { EVALUATION_DEFAULTS } from '@cam/recipe';
import { CamEvaluationJobSchema, CamEvaluationRequestSchema, LIMITS, newId } from '../src/index.js';

const issuePaths = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  (result.error?.issues ?? []).map((i) => i.path.join('.'));

describe('CamEvaluationRequestSchema', () => {
  const runId = newId('run');

  it('fills the defaults and takes a layer', () => {
    expect(CamEvaluationRequestSchema.parse({ runId })).toEqual({ runId, ...EVALUATION_DEFAULTS });
    const custom = CamEvaluationRequestSchema.parse({
      runId,
      methods: ['layercam', 'eigencam'],
      layer: 'conv_2',
      canvas: 0,
    });
    expect(custom).toMatchObject({ methods: ['layercam', 'eigencam'], layer: 'conv_2', canvas: 0 });
  });

  it.each([
    [{ runId, methods: [] }, 'methods'],
    [{ runId, methods: ['cam', 'cam'] }, 'methods'],
    [{ runId, methods: ['lime'] }, 'methods.0'],
    [{ runId, layer: '../x' }, 'layer'],
    [{ runId, count: 0 }, 'count'],
    [{ runId, count: LIMITS.maxEvaluationCount + 1 }, 'count'],
    [{ runId, steps: 0 }, 'steps'],
    [{ runId, sanityCount: LIMITS.maxSanityCount + 1 }, 'sanityCount'],
    [{ runId, canvas: 20 }, 'canvas'],
    [{ runId, canvas: LIMITS.maxEvaluationCanvas + 1 }, 'canvas'],
    [{ runId, extra: 1 }, ''],
    [{ runId: 'r-1' }, 'runId'],
  ])('rejects %j at %s', (body, path) => {
    const result = CamEvaluationRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });

  it('the job adds an evaluation id (e-…) and the dataset', () => {
    const evaluationId = newId('camEvaluation');
    expect(evaluationId).toMatch(/^e-[0-9a-f]{12}$/);
    const job = CamEvaluationJobSchema.parse({ runId, evaluationId, dataset: 'mnist' });
    expect(job).toMatchObject({ evaluationId, dataset: 'mnist', count: EVALUATION_DEFAULTS.count });
  });
});

import { z } from 'zod';
import {
  CamBatchRequestSchema,
  CamEvaluationRequestSchema,
  CamBatchCreatedSchema,
  CamBatchSchema,
  CamEvaluationCreatedSchema,
  CamEvaluationSchema,
  ErrorResponseSchema,
  RunEventSchema,
  RunSchema,
  SweepCreatedSchema,
  SweepListSchema,
  SweepRequestSchema,
  SweepRetriedSchema,
  SweepSchema,
} from '@cam/contracts';

type Schema = z.ZodType;

const jsonSchema = (schema: Schema, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' });
const json = (schema: Schema, io: 'input' | 'output' = 'output') => ({
  'application/json': { schema: jsonSchema(schema, io) },
});
const eventStream = (schema: Schema) => ({ 'text/event-stream': { schema: jsonSchema(schema) } });
const ok = (description: string, schema: Schema) => ({ description, content: json(schema) });
const error = (description: string) => ({ description, content: json(ErrorResponseSchema) });
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
/** The header and answers every creating POST shares (middleware/idempotency.ts). */
const IDEMPOTENT = {
  parameters: [
    {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes the POST safe to retry: a retry with the same key and body gets the first answer again (header Idempotent-Replayed: true) and creates nothing; kept for a day; 5xx answers are not kept',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    },
  ],
  errors: {
    '409': error('run not completed, or the first request with this Idempotency-Key is still running'),
    '422': error('Idempotency-Key already used with another request'),
  },
};
const COMMON_ERRORS = { '401': error('missing or wrong bearer token'), '503': error('Redis is unreachable') };

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and type responses. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'CAM platform API',
      version: '0.1.0',
      description:
        'Training sweeps of CAM-capable CNNs on MNIST and class activation map renders, as queued jobs.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: the API serves this document itself, so its own origin is the server.
    servers: [{ url: '/', description: 'the server this document is served from' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'required when API_TOKEN is set' },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/sweeps': {
        post: {
          operationId: 'createSweep',
          summary:
            'Enqueue a sweep: one training run per grid combination, or with random search `samples` draws from `space` per combination; optional ASHA `scheduler`',
          parameters: IDEMPOTENT.parameters,
          requestBody: { required: true, content: json(SweepRequestSchema, 'input') },
          responses: {
            '202': ok('queued', SweepCreatedSchema),
            '400': error('invalid field'),
            ...IDEMPOTENT.errors,
            '413': error('body too large'),
            '415': error('not JSON'),
            ...COMMON_ERRORS,
          },
        },
        get: {
          operationId: 'listSweeps',
          summary: 'List sweeps, newest first',
          parameters: [
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
          ],
          responses: {
            '200': ok('sweeps', SweepListSchema),
            '400': error('invalid query'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/sweeps/{id}': {
        parameters: [idParam('id')],
        get: {
          operationId: 'getSweep',
          summary:
            "A sweep with its runs (state, progress, per-epoch history), the scheduler's rung table, and the best run",
          responses: { '200': ok('sweep', SweepSchema), '404': error('unknown sweep'), ...COMMON_ERRORS },
        },
        delete: {
          operationId: 'cancelSweep',
          summary: 'Cancel the queued and active runs of a sweep',
          responses: {
            '200': ok('sweep after cancelling', SweepSchema),
            '404': error('unknown sweep'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/sweeps/{id}/events': {
        parameters: [idParam('id')],
        get: {
          operationId: 'sweepEvents',
          summary:
            'Server-Sent Events: a `sweep` event (the sweep as GET /v1/sweeps/{id} answers it) on every change, until every run finished',
          responses: {
            '200': {
              description: 'text/event-stream',
              content: eventStream(SweepSchema),
            },
            '404': error('unknown sweep'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/sweeps/{id}/retry': {
        parameters: [idParam('id')],
        post: {
          operationId: 'retrySweep',
          summary: 'Queue the failed and cancelled runs again; each resumes from its checkpoint',
          responses: {
            '202': ok('queued again', SweepRetriedSchema),
            '404': error('unknown sweep'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/runs/{id}': {
        parameters: [idParam('id')],
        get: {
          operationId: 'getRun',
          summary: 'A run, with its per-epoch history',
          responses: { '200': ok('run', RunSchema), '404': error('unknown run'), ...COMMON_ERRORS },
        },
      },
      '/v1/runs/{id}/cancel': {
        parameters: [idParam('id')],
        post: {
          operationId: 'cancelRun',
          summary: 'Cancel one run (its trainer stops after the current step, with a checkpoint)',
          responses: {
            '200': ok('run after cancelling', RunSchema),
            '404': error('unknown run'),
            '409': error('run already completed or stopped'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/runs/{id}/events': {
        parameters: [idParam('id')],
        get: {
          operationId: 'runEvents',
          summary:
            'Server-Sent Events: `state` ({state}), `progress` (TrainProgress) and `epoch` (EpochRecord, one per finished epoch) events until a final state',
          responses: {
            '200': {
              description: 'text/event-stream',
              content: eventStream(RunEventSchema),
            },
            '404': error('unknown run'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/runs/{id}/artifacts/{name}': {
        parameters: [idParam('id'), idParam('name')],
        get: {
          operationId: 'getRunArtifact',
          summary: 'A file of the run folder (model.json, weights.bin, metrics.json, curves.png, CSVs)',
          responses: {
            '200': { description: 'the file' },
            '400': error('not a file name'),
            '404': error('unknown run or file'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/cam-batches': {
        post: {
          operationId: 'createCamBatch',
          summary:
            'Render CAMs of dataset samples (split + indices) or uploaded PNGs (images) with a completed run',
          parameters: IDEMPOTENT.parameters,
          requestBody: { required: true, content: json(CamBatchRequestSchema, 'input') },
          responses: {
            '202': ok('queued', CamBatchCreatedSchema),
            '400': error('invalid field'),
            '404': error('unknown run'),
            ...IDEMPOTENT.errors,
            '409': error('run neither completed nor stopped'),
            '413': error('body too large'),
            '415': error('not JSON'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/cam-batches/{id}': {
        parameters: [idParam('id')],
        get: {
          operationId: 'getCamBatch',
          summary: 'A CAM batch',
          responses: { '200': ok('batch', CamBatchSchema), '404': error('unknown batch'), ...COMMON_ERRORS },
        },
      },
      '/v1/cam-batches/{id}/files/{name}': {
        parameters: [idParam('id'), idParam('name')],
        get: {
          operationId: 'getCamBatchFile',
          summary: 'An item PNG, montage.png or cams.npy of a batch',
          responses: {
            '200': { description: 'the file' },
            '400': error('not a file name'),
            '404': error('unknown batch or file'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/cam-evaluations': {
        post: {
          operationId: 'createCamEvaluation',
          summary:
            'Evaluate CAM methods of a completed run on its first test digits: deletion / insertion AUC, average drop / increase in confidence, ROAD, pointing game, localization, sanity check, with random-map and centred-blob baselines',
          requestBody: { required: true, content: json(CamEvaluationRequestSchema, 'input') },
          responses: {
            '202': ok('queued', CamEvaluationCreatedSchema),
            '400': error('invalid field'),
            '404': error('unknown run'),
            '409': error('run not completed'),
            '415': error('not JSON'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/cam-evaluations/{id}': {
        parameters: [idParam('id')],
        get: {
          operationId: 'getCamEvaluation',
          summary: 'A CAM evaluation: state, and once completed its rows and file URLs',
          responses: {
            '200': ok('evaluation', CamEvaluationSchema),
            '404': error('unknown evaluation'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/cam-evaluations/{id}/files/{name}': {
        parameters: [idParam('id'), idParam('name')],
        get: {
          operationId: 'getCamEvaluationFile',
          summary: 'evaluation.json, evaluation.md or curves.png of an evaluation',
          responses: {
            '200': { description: 'the file' },
            '400': error('not a file name'),
            '404': error('unknown evaluation or file'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'liveness',
          summary: 'Liveness',
          security: [],
          responses: { '200': { description: 'alive' } },
        },
      },
      '/readyz': {
        get: {
          operationId: 'readiness',
          summary: 'Readiness (Redis answers)',
          security: [],
          responses: { '200': { description: 'ready' }, '503': error('Redis unreachable') },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics',
          security: [],
          responses: { '200': { description: 'text exposition format' } },
        },
      },
    },
  };
}

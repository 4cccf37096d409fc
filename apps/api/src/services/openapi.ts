import { z } from 'zod';
import { CamBatchRequestSchema, SweepRequestSchema } from '@cam/queue';
import {
  CamBatchCreatedSchema,
  CamBatchSchema,
  ErrorResponseSchema,
  RunEventSchema,
  RunSchema,
  SweepCreatedSchema,
  SweepListSchema,
  SweepRetriedSchema,
  SweepSchema,
} from '../schemas.js';

type Schema = z.ZodType;

const json = (schema: Schema, io: 'input' | 'output' = 'output') => ({
  'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) },
});
const ok = (description: string, schema: Schema) => ({ description, content: json(schema) });
const error = (description: string) => ({ description, content: json(ErrorResponseSchema) });
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const COMMON_ERRORS = { '401': error('missing or wrong bearer token'), '503': error('Redis is unreachable') };

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and type responses. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'CAM platform API', version: '0.1.0' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'required when API_TOKEN is set' },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/sweeps': {
        post: {
          summary:
            'Enqueue a sweep: one training run per grid combination, or with random search `samples` draws from `space` per combination; optional ASHA `scheduler`',
          requestBody: { required: true, content: json(SweepRequestSchema, 'input') },
          responses: {
            '202': ok('queued', SweepCreatedSchema),
            '400': error('invalid field'),
            '413': error('body too large'),
            '415': error('not JSON'),
            ...COMMON_ERRORS,
          },
        },
        get: {
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
          summary:
            "A sweep with its runs (state, progress, per-epoch history), the scheduler's rung table, and the best run",
          responses: { '200': ok('sweep', SweepSchema), '404': error('unknown sweep'), ...COMMON_ERRORS },
        },
        delete: {
          summary: 'Cancel the queued and active runs of a sweep',
          responses: {
            '200': ok('sweep after cancelling', SweepSchema),
            '404': error('unknown sweep'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/sweeps/{id}/retry': {
        parameters: [idParam('id')],
        post: {
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
          summary: 'A run, with its per-epoch history',
          responses: { '200': ok('run', RunSchema), '404': error('unknown run'), ...COMMON_ERRORS },
        },
      },
      '/v1/runs/{id}/cancel': {
        parameters: [idParam('id')],
        post: {
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
          summary:
            'Server-Sent Events: `state` ({state}), `progress` (TrainProgress) and `epoch` (EpochRecord, one per finished epoch) events until a final state',
          responses: {
            '200': {
              description: 'text/event-stream',
              content: { 'text/event-stream': { schema: z.toJSONSchema(RunEventSchema) } },
            },
            '404': error('unknown run'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/v1/runs/{id}/artifacts/{name}': {
        parameters: [idParam('id'), idParam('name')],
        get: {
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
          summary:
            'Render CAMs of dataset samples (split + indices) or uploaded PNGs (images) with a completed run',
          requestBody: { required: true, content: json(CamBatchRequestSchema, 'input') },
          responses: {
            '202': ok('queued', CamBatchCreatedSchema),
            '400': error('invalid field'),
            '404': error('unknown run'),
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
          summary: 'A CAM batch',
          responses: { '200': ok('batch', CamBatchSchema), '404': error('unknown batch'), ...COMMON_ERRORS },
        },
      },
      '/v1/cam-batches/{id}/files/{name}': {
        parameters: [idParam('id'), idParam('name')],
        get: {
          summary: 'An item PNG, montage.png or cams.npy of a batch',
          responses: {
            '200': { description: 'the file' },
            '400': error('not a file name'),
            '404': error('unknown batch or file'),
            ...COMMON_ERRORS,
          },
        },
      },
      '/healthz': {
        get: { summary: 'Liveness', security: [], responses: { '200': { description: 'alive' } } },
      },
      '/readyz': {
        get: {
          summary: 'Readiness (Redis answers)',
          security: [],
          responses: { '200': { description: 'ready' }, '503': error('Redis unreachable') },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          security: [],
          responses: { '200': { description: 'text exposition format' } },
        },
      },
    },
  };
}

import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { greyDigitFromPng } from '@cam/cam/upload';
import { checkValidationSplit, validateArch } from '@cam/model/rules';
import {
  LIMITS,
  customArchSpec,
  type CamJob,
  type CamJobResult,
  type TrainingJob,
  type TrainingJobResult,
} from '@cam/queue';
import type { CamBatchView, RunView, SweepView } from '@cam/contracts';
import { anySizeGreyPng, apiWithCompletedRun } from './fixtures.js';
import { QUEUE_NAMES, waitFor } from './support.js';

/**
 * The API refuses at the door what a worker's library would refuse, because the request schemas call the
 * libraries' own checks. Each table row is fed to the library itself and to the API: the API answers 400
 * naming the field exactly when the library throws, and 202 when it does not.
 */
const context = apiWithCompletedRun();

interface ErrorBody {
  error: { code: string; message: string; details: { issues?: { path: string }[] } | null };
}

/** True when `fn` throws. */
function refuses(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

/** POSTs `body`; expects 202 when the library accepts, else 400 whose issues include `field`. */
async function expectSameAnswer(route: string, body: unknown, libraryRefuses: boolean, field: string) {
  const res = await context.api.call('POST', route, body);
  const text = await res.text();
  if (!libraryRefuses) {
    expect(res.status, text).toBe(202);
    return;
  }
  expect(res.status, text).toBe(400);
  const error = (JSON.parse(text) as ErrorBody).error;
  expect(error.code).toBe('invalid_request');
  expect(error.details?.issues?.map((i) => i.path)).toContain(field);
  expect(error.message).toContain(field);
}

describe("the issue's five requests that were accepted and then failed in a worker", () => {
  const png = (width: number, height: number) => anySizeGreyPng(width, height).toString('base64');
  it.each([
    ['a 1000x1000 grey PNG', 'images.0', () => ({ runId: context.runId, images: [png(1000, 1000)] })],
    ['a PNG of width 0', 'images.0', () => ({ runId: context.runId, images: [png(0, 28)] })],
  ])('POST /v1/cam-batches with %s -> 400 at %s', async (_what, field, body) => {
    await expectSameAnswer('/v1/cam-batches', body(), true, field);
  });

  it.each([
    ['kernelSize 2', 'arch.convs.0.kernelSize', { arch: { convs: [{ filters: 4, kernelSize: 2 }] } }],
    ['patience with validationSplit 0', 'patience', { patience: 2, validationSplit: 0 }],
    ['trainSize 1 with validationSplit 0.5', 'trainSize', { trainSize: 1, validationSplit: 0.5 }],
  ])('POST /v1/sweeps with %s -> 400 at %s', async (_what, field, params) => {
    await expectSameAnswer('/v1/sweeps', { name: 'x', ...params }, true, field);
  });
});

describe('the general rule: 400 exactly when the library refuses', () => {
  it('every kernel size the schema takes, in a custom arch and in a grid of archs (validateArch)', async () => {
    for (let kernelSize = 1; kernelSize <= LIMITS.maxKernelSize; kernelSize++) {
      const arch = {
        convs: [
          { filters: 2, kernelSize: 3 },
          { filters: 2, kernelSize },
        ],
      };
      const libraryRefuses = refuses(() => validateArch(customArchSpec(arch)));
      expect(libraryRefuses).toBe(kernelSize % 2 === 0);
      await expectSameAnswer('/v1/sweeps', { name: 'k', arch }, libraryRefuses, 'arch.convs.1.kernelSize');
      await expectSameAnswer(
        '/v1/sweeps',
        { name: 'k', grid: { arch: ['c3', arch] } },
        libraryRefuses,
        'grid.arch.1.convs.1.kernelSize',
      );
    }
  });

  it('an architecture name that is only blanks (validateArch wants a non-empty name)', async () => {
    const arch = { name: '   ', convs: [{ filters: 2, kernelSize: 3 }] };
    expect(refuses(() => validateArch(customArchSpec(arch)))).toBe(true);
    await expectSameAnswer('/v1/sweeps', { name: 'n', arch }, true, 'arch.name');
  });

  it('train sizes and validation splits around an empty training set (checkValidationSplit)', async () => {
    for (const trainSize of [1, 2, 3]) {
      for (const validationSplit of [0, 0.2, 0.3, 0.5]) {
        const libraryRefuses = refuses(() =>
          checkValidationSplit({ validationSplit, trainCount: trainSize }),
        );
        await expectSameAnswer(
          '/v1/sweeps',
          { name: 's', trainSize, validationSplit, epochs: 1 },
          libraryRefuses,
          'trainSize',
        );
      }
    }
  });

  it('patience against every validation split, and a grid that combines them', async () => {
    for (const validationSplit of [0, 0.1, 0.5]) {
      const libraryRefuses = refuses(() => checkValidationSplit({ validationSplit, patience: 3 }));
      expect(libraryRefuses).toBe(validationSplit === 0);
      await expectSameAnswer(
        '/v1/sweeps',
        { name: 'p', patience: 3, validationSplit },
        libraryRefuses,
        'patience',
      );
    }
    // Each value is valid alone; the second run combines patience with no validation set (the sweep schema
    // checks every run it expands to).
    const res = await context.api.call('POST', '/v1/sweeps', {
      name: 'g',
      patience: 3,
      grid: { validationSplit: [0.2, 0] },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(
      /^patience: gives an invalid run: early stopping needs a validation set/,
    );
  });

  it('uploaded PNG sizes around the resizer limits (greyDigitFromPng)', async () => {
    for (const [width, height] of [
      [0, 28],
      [1, 1],
      [28, 28],
      [896, 1],
      [897, 1],
      [1, 897],
      [2048, 16],
    ] as const) {
      const bytes = anySizeGreyPng(width, height);
      const libraryRefuses = refuses(() => greyDigitFromPng(bytes, 28, 28));
      expect(libraryRefuses, `${width}x${height}`).toBe(width === 0 || width > 896 || height > 896);
      await expectSameAnswer(
        '/v1/cam-batches',
        {
          runId: context.runId,
          images: [anySizeGreyPng(28, 28).toString('base64'), bytes.toString('base64')],
        },
        libraryRefuses,
        'images.1',
      );
    }
  });

  it('nothing was queued for the refused requests', async () => {
    const batches = await context.api.deps.queues.camRender.getJobs(['waiting']);
    // One batch per accepted upload row above (1x1, 28x28, 896x1).
    expect(batches).toHaveLength(3);
  });
});

describe('a job that fails for good shows why', () => {
  it('in GET /v1/runs/:id, in the sweep, and in GET /v1/cam-batches/:id', async () => {
    const sweep = (await (await context.api.call('POST', '/v1/sweeps', { name: 'f', epochs: 1 })).json()) as {
      id: string;
      runs: { id: string }[];
    };
    const runId = sweep.runs[0]!.id;
    context.api.worker<TrainingJob, TrainingJobResult>(QUEUE_NAMES.training, async () => {
      throw new UnrecoverableError('the dataset is gone');
    });
    const run = await waitFor(async () => {
      const body = (await (await context.api.call('GET', `/v1/runs/${runId}`)).json()) as RunView;
      return body.state === 'failed' ? body : undefined;
    });
    expect(run.failure).toBe('the dataset is gone');
    const view = (await (await context.api.call('GET', `/v1/sweeps/${sweep.id}`)).json()) as SweepView;
    expect(view.runs[0]?.failure).toBe('the dataset is gone');

    context.api.worker<CamJob, CamJobResult>(QUEUE_NAMES.camRender, async () => {
      throw new UnrecoverableError('images[0]: is not a decodable PNG');
    });
    const created = await context.api.call('POST', '/v1/cam-batches', { runId: context.runId, indices: [0] });
    const { id } = (await created.json()) as { id: string };
    const batch = await waitFor(async () => {
      const body = (await (await context.api.call('GET', `/v1/cam-batches/${id}`)).json()) as CamBatchView;
      return body.state === 'failed' ? body : undefined;
    });
    expect(batch.failure).toBe('images[0]: is not a decodable PNG');
  });
});

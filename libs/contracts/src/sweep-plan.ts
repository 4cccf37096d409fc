import {
  distributionKind,
  distributionProbes,
  distributionProblem,
  sampleSpace,
  type Space,
} from '@cam/recipe';
import { z } from 'zod';
import { expandGrid } from './grid.js';
import { LIMITS } from './limits.js';
import {
  RunParamsSchema,
  SweepRequestFieldsSchema,
  gridSize,
  type RunParamName,
  type RunParams,
  type Search,
  type SweepRequest,
} from './schemas.js';

/** The space's distributions (fields left out dropped). */
function spaceOf(request: Pick<SweepRequest, 'space'>): Space {
  return Object.fromEntries(Object.entries(request.space).filter(([, d]) => d !== undefined)) as Space;
}

/** The request's search; without one, random search (1 sample) when it has a space, else grid. */
export function searchOf(request: Pick<SweepRequest, 'search' | 'space'>): Search {
  const random = Object.keys(spaceOf(request)).length > 0;
  return request.search ?? { algorithm: random ? 'random' : 'grid', samples: 1, seed: 0 };
}

/** How many runs the request expands to. */
export function sweepRunCount(request: Pick<SweepRequest, 'grid' | 'search' | 'space'>): number {
  const search = searchOf(request);
  return gridSize(request.grid) * (search.algorithm === 'random' ? search.samples : 1);
}

/**
 * Every run of a sweep: each grid combination over the base parameters (the first grid parameter slowest); with
 * random search, `samples` draws from the space per combination, drawn in that order from the search's seed.
 * The same request gives the same runs.
 */
export function expandSweep(request: SweepRequest): RunParams[] {
  const points = expandGrid(request);
  const search = searchOf(request);
  if (search.algorithm === 'grid') return points;
  const n = search.samples;
  const draws = sampleSpace(spaceOf(request), points.length * n, search.seed);
  return points.flatMap((point, i) =>
    draws.slice(i * n, (i + 1) * n).map((draw) => ({ ...point, ...draw }) as RunParams),
  );
}

const FIELD_SCHEMAS = RunParamsSchema.shape as Record<RunParamName, z.ZodType>;

function firstMessage(result: { error?: z.ZodError }): string {
  return result.error?.issues[0]?.message ?? 'invalid';
}

/** The checks that need the whole request: space vs grid and search, run count, every run, the scheduler. */
function checkSweep(request: SweepRequest, ctx: z.RefinementCtx): void {
  // zod runs this refinement even when a field failed: each field's own issue is enough then.
  if (!SweepRequestFieldsSchema.safeParse(request).success) return;
  let ok = true;
  const issue = (path: PropertyKey[], message: string) => {
    ok = false;
    ctx.addIssue({ code: 'custom', path, message });
  };
  const space = spaceOf(request);
  const search = searchOf(request);
  const grid = request.grid as Record<string, unknown[] | undefined>;
  if (search.algorithm === 'grid' && Object.keys(space).length > 0)
    issue(['search', 'algorithm'], "grid search does not sample a space: use 'random'");
  if (search.algorithm === 'random' && Object.keys(space).length === 0)
    issue(['space'], 'random search needs a space to sample');
  for (const [name, d] of Object.entries(space)) {
    const kind = distributionKind(d);
    if (grid[name] !== undefined) issue(['space', name], 'is also in grid: give it in one of them');
    const problem = distributionProblem(d);
    if (problem !== null) {
      issue(['space', name, kind], problem);
      continue;
    }
    const field = FIELD_SCHEMAS[name as RunParamName];
    distributionProbes(d).forEach((value, i) => {
      const result = field.safeParse(value);
      if (result.success) return;
      if (kind === 'choice') issue(['space', name, 'choice', i], firstMessage(result));
      else
        issue(['space', name, kind], `can give ${String(value)}, which is invalid: ${firstMessage(result)}`);
    });
  }
  const count = sweepRunCount(request);
  if (count > LIMITS.maxSweepRuns) {
    const path = search.algorithm === 'random' ? ['search', 'samples'] : ['grid'];
    issue(path, `expands to ${count} runs; at most ${LIMITS.maxSweepRuns} are allowed`);
  }
  if (!ok) return;

  const runs = expandSweep(request);
  const reported = new Set<string>();
  for (const run of runs) {
    const result = RunParamsSchema.safeParse(run);
    if (result.success) continue;
    const field = String(result.error.issues[0]?.path[0] ?? '');
    if (reported.has(field)) continue;
    reported.add(field);
    const d = space[field];
    const path = d ? ['space', field, distributionKind(d)] : grid[field] ? ['grid', field] : [field];
    issue(path, `gives an invalid run: ${firstMessage(result)}`);
  }
  const scheduler = request.scheduler;
  if (scheduler === undefined) return;
  if (scheduler.metric.startsWith('validation') && runs.some((run) => run.validationSplit === 0))
    issue(
      ['scheduler', 'metric'],
      `${scheduler.metric} needs a validation set (validationSplit > 0) in every run`,
    );
  const longest = Math.max(...runs.map((run) => run.epochs));
  if (scheduler.gracePeriod >= longest)
    issue(
      ['scheduler', 'gracePeriod'],
      `must be below the longest run's epochs (${longest}): no run would have a rung`,
    );
}

/** A sweep request, with every check: what the API accepts and the registry stores. */
export const SweepRequestSchema = SweepRequestFieldsSchema.superRefine(checkSweep);

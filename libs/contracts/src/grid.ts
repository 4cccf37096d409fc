import { RunParamsSchema, type RunParams, type SweepRequest } from './schemas.js';

const RUN_PARAM_KEYS = RunParamsSchema.keyof().options;

/**
 * Every combination of the grid's values over the sweep's base parameters, one RunParams per run.
 * The first grid parameter varies slowest; an empty grid gives the base parameters alone.
 */
export function expandGrid(request: SweepRequest): RunParams[] {
  const base = Object.fromEntries(
    RUN_PARAM_KEYS.filter((key) => request[key] !== undefined).map((key) => [key, request[key]]),
  ) as RunParams;
  let runs: RunParams[] = [base];
  for (const [param, values] of Object.entries(request.grid)) {
    if (values === undefined) continue;
    runs = runs.flatMap((run) => values.map((value) => ({ ...run, [param]: value })));
  }
  return runs;
}

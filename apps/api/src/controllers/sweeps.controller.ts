import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  SweepRequestSchema,
  expandSweep,
  isId,
  newId,
  readJobSnapshots,
  type RunRecord,
  type SweepRecord,
  type SweepRequest,
} from '@cam/queue';
import {
  JOB_STATES,
  isFinishedState,
  type StateCounts,
  type SweepCreated,
  type SweepList,
  type SweepRetried,
  type SweepView,
} from '@cam/contracts';
import { rungEpochs } from '@cam/recipe';
import type { ApiDeps } from '../deps.js';
import { notFound, parseInput } from '../errors.js';
import { streamEvents, type EventStreamOptions } from '../services/event-stream.js';
import { snapshotSweepRuns } from '../services/runs.js';
import { coalesceReads } from '../services/coalesce.js';

const ListQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

async function findSweep(deps: ApiDeps, id: string): Promise<SweepRecord> {
  const sweep = isId(id, 'sweep') ? await deps.registry.getSweep(id) : null;
  if (sweep === null) throw notFound('sweep', id);
  return sweep;
}

async function describeSweep(deps: ApiDeps, sweep: SweepRecord): Promise<SweepView> {
  const runs = await snapshotSweepRuns(deps, sweep.runIds);
  const states = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as StateCounts;
  let best: SweepView['best'] = null;
  for (const { run, result } of runs) {
    const accuracy = result?.metrics.validationAccuracy;
    if (accuracy != null && (best === null || accuracy > best.validationAccuracy)) {
      best = { id: run.id, validationAccuracy: accuracy };
    }
  }
  for (const { state } of runs) states[state] += 1;
  return {
    id: sweep.id,
    name: sweep.name,
    createdAt: sweep.createdAt,
    request: sweep.request,
    states,
    runs: runs.map(({ run, state, result, failure }) => ({
      id: run.id,
      state,
      params: run.params,
      progress: run.progress,
      summary: result?.metrics ?? null,
      history: run.history,
      stoppedAtEpoch: run.stoppedAtEpoch,
      failure,
    })),
    rungs: await rungTable(
      deps,
      sweep,
      runs.map(({ run }) => run.params.epochs),
    ),
    best,
  };
}

/** The scheduler's rungs over the sweep's runs (null without a scheduler). */
async function rungTable(deps: ApiDeps, sweep: SweepRecord, epochs: number[]): Promise<SweepView['rungs']> {
  const scheduler = sweep.request.scheduler;
  if (scheduler === undefined) return null;
  return deps.registry.rungs.table(sweep.id, rungEpochs(scheduler, Math.max(...epochs)), scheduler);
}

/** A run's training job: its parameters and the sweep's scheduler. */
function trainingJob(run: RunRecord, request: SweepRequest) {
  return {
    name: 'train' as const,
    data: { runId: run.id, sweepId: run.sweepId, params: run.params, scheduler: request.scheduler },
    opts: { jobId: run.id },
  };
}

export function sweepsController(deps: ApiDeps, events: EventStreamOptions = {}) {
  // A sweep's view reads every run: many clients polling one sweep (its page, its SSE streams) share reads.
  const sweepView = coalesceReads(async (id) => describeSweep(deps, await findSweep(deps, id)));
  return {
    /** POST /v1/sweeps: one training job per run (grid combination, or random-search sample). */
    async create(req: Request, res: Response): Promise<void> {
      const request = parseInput(SweepRequestSchema, req.body);
      const sweepId = newId('sweep');
      const createdAt = new Date().toISOString();
      const runs: RunRecord[] = expandSweep(request).map((params) => ({
        id: newId('run'),
        sweepId,
        createdAt,
        params,
      }));
      await deps.registry.createSweep(
        { id: sweepId, name: request.name, createdAt, request, runIds: runs.map((r) => r.id) },
        runs,
      );
      await deps.queues.training.addBulk(runs.map((run) => trainingJob(run, request)));
      const body: SweepCreated = { id: sweepId, runs: runs.map(({ id, params }) => ({ id, params })) };
      res.status(202).location(`/v1/sweeps/${sweepId}`).json(body);
    },

    /** GET /v1/sweeps?offset&limit: newest first, each with its run states and best run. */
    async list(req: Request, res: Response): Promise<void> {
      const { offset, limit } = parseInput(ListQuerySchema, req.query);
      const [sweeps, total] = await Promise.all([
        deps.registry.listSweeps({ offset, limit }),
        deps.registry.countSweeps(),
      ]);
      const views = await Promise.all(sweeps.map((sweep) => describeSweep(deps, sweep)));
      const body: SweepList = {
        sweeps: views.map(({ id, name, createdAt, runs, states, best }) => ({
          id,
          name,
          createdAt,
          runIds: runs.map((run) => run.id),
          states,
          best,
        })),
        total,
      };
      res.json(body);
    },

    /** GET /v1/sweeps/:id: runs with state and progress, and the best run by validation accuracy. */
    async get(req: Request<{ id: string }>, res: Response): Promise<void> {
      res.json(await sweepView(req.params.id));
    },

    /**
     * GET /v1/sweeps/:id/events: Server-Sent Events, a `sweep` event (the body of GET /v1/sweeps/:id) whenever
     * any run's state or progress changed; one stream per sweep, however many runs it has. The stream ends
     * once every run is finished.
     */
    async events(req: Request<{ id: string }>, res: Response): Promise<void> {
      const sweep = await findSweep(deps, req.params.id);
      let last = '';
      await streamEvents(
        req,
        res,
        async (send) => {
          const view = await sweepView(sweep.id);
          const text = JSON.stringify(view);
          if (text !== last) send('sweep', view);
          last = text;
          return view.runs.every((run) => isFinishedState(run.state));
        },
        { ...events, ready: () => deps.redis.status === 'ready' },
      );
    },

    /**
     * DELETE /v1/sweeps/:id: flags every unfinished run cancelled, then removes the jobs still waiting. Flags go
     * first so that a job a worker picks up meanwhile is stopped by its worker (an active job cannot be removed).
     */
    async cancel(req: Request<{ id: string }>, res: Response): Promise<void> {
      const sweep = await findSweep(deps, req.params.id);
      const jobs = await readJobSnapshots(deps.redis, deps.queues.training, sweep.runIds);
      const unfinished = sweep.runIds.filter((_, i) => jobs[i]!.state !== 'completed');
      for (const runId of unfinished) await deps.registry.cancelRun(runId);
      // Only jobs that were waiting: an active one is stopped by its worker, and removing it once it has ended
      // (between the read and now) would drop its record.
      for (const [i, runId] of sweep.runIds.entries()) {
        if (jobs[i]!.state === 'waiting') await deps.queues.training.remove(runId).catch(() => undefined);
      }
      res.json(await describeSweep(deps, sweep));
    },

    /**
     * POST /v1/sweeps/:id/retry: queues the sweep's failed and cancelled runs again. Their run folders keep the
     * checkpoint of the last finished epoch (or step, for a cancelled run), so each resumes where it stopped.
     * A cancelled run whose trainer has not let go of it yet is left out and listed as busy.
     */
    async retry(req: Request<{ id: string }>, res: Response): Promise<void> {
      const sweep = await findSweep(deps, req.params.id);
      const retried: string[] = [];
      const busy: string[] = [];
      for (const { run, state } of await snapshotSweepRuns(deps, sweep.runIds)) {
        if (state !== 'failed' && state !== 'cancelled') continue;
        const runId = run.id;
        const job = await deps.queues.training.getJob(runId);
        if (job !== undefined && (await job.isActive())) {
          busy.push(runId);
          continue;
        }
        await job?.remove();
        await deps.registry.clearCancelled(runId);
        await deps.queues.training.add('train', trainingJob(run, sweep.request).data, { jobId: runId });
        retried.push(runId);
      }
      const body: SweepRetried = { id: sweep.id, retried, busy };
      res.status(202).json(body);
    },
  };
}

import type { Request, Response } from 'express';
import { isId, runArtifactsPrefix, type RunStatus } from '@cam/queue';
import { isFinishedState, type RunView } from '@cam/contracts';
import type { ApiDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { streamEvents, type EventStreamOptions } from '../services/event-stream.js';
import { sendArtifact } from '../services/files.js';
import { toJobState } from '../services/job-state.js';
import { runFiles, snapshotRun } from '../services/runs.js';

/** Options of the event streams (runs and sweeps). */
export type RunEventsOptions = EventStreamOptions;

async function findRun(deps: ApiDeps, id: string): Promise<RunStatus> {
  const run = isId(id, 'run') ? await deps.registry.getRun(id) : null;
  if (run === null) throw notFound('run', id);
  return run;
}

async function describeRun(deps: ApiDeps, status: RunStatus): Promise<RunView> {
  const { run, state, failure } = await snapshotRun(deps, status);
  const { metrics, artifacts } = await runFiles(deps, run.id);
  return {
    id: run.id,
    sweepId: run.sweepId,
    state,
    params: run.params,
    progress: run.progress,
    history: run.history,
    stoppedAtEpoch: run.stoppedAtEpoch,
    metrics,
    artifacts,
    failure,
  };
}

export function runsController(deps: ApiDeps, events: RunEventsOptions = {}) {
  return {
    /** GET /v1/runs/:id */
    async get(req: Request<{ id: string }>, res: Response): Promise<void> {
      res.json(await describeRun(deps, await findRun(deps, req.params.id)));
    },

    /**
     * POST /v1/runs/:id/cancel: flags the run cancelled (its trainer stops it after the current step, with a
     * checkpoint, so a retry resumes it) and removes its job if still queued; 409 once the run has finished.
     */
    async cancel(req: Request<{ id: string }>, res: Response): Promise<void> {
      const run = await findRun(deps, req.params.id);
      const { state } = await snapshotRun(deps, run);
      if (state === 'completed' || state === 'stopped') {
        throw new HttpError(409, 'run_finished', `run ${run.id} is ${state}: nothing to cancel`, {
          state,
        });
      }
      await deps.registry.cancelRun(run.id);
      const job = await deps.queues.training.getJob(run.id);
      // Only a waiting job: an active one is stopped by its trainer (and one that has just ended keeps its record).
      if (job !== undefined && toJobState(await job.getState(), false) === 'queued')
        await job.remove().catch(() => undefined);
      res.json(await describeRun(deps, (await deps.registry.getRun(run.id))!));
    },

    /**
     * GET /v1/runs/:id/events: Server-Sent Events. `state` events when the state changes, `progress` events
     * when the latest progress changes (polled, so fast reports may coalesce; each event carries the latest),
     * one `epoch` event per finished epoch (its history record, none skipped), in order, with increasing ids;
     * the stream ends after a final state (completed, stopped, failed, cancelled).
     */
    async events(req: Request<{ id: string }>, res: Response): Promise<void> {
      const first = await findRun(deps, req.params.id);
      let lastState = '';
      let lastProgress = '';
      let epochsSent = 0;
      await streamEvents(
        req,
        res,
        async (send) => {
          const run = lastState === '' ? first : await deps.registry.getRun(first.id);
          if (run === null) return false;
          const snapshot = await snapshotRun(deps, run);
          const progress = JSON.stringify(snapshot.run.progress);
          if (snapshot.run.progress !== null && progress !== lastProgress)
            send('progress', snapshot.run.progress);
          lastProgress = progress;
          for (const record of snapshot.run.history.filter((r) => r.epoch > epochsSent)) {
            send('epoch', record);
            epochsSent = record.epoch;
          }
          if (snapshot.state !== lastState) send('state', { state: snapshot.state });
          lastState = snapshot.state;
          return isFinishedState(snapshot.state);
        },
        { ...events, ready: () => deps.redis.status === 'ready' },
      );
    },

    /** GET /v1/runs/:id/artifacts/:name */
    async artifact(req: Request<{ id: string; name: string }>, res: Response): Promise<void> {
      const run = await findRun(deps, req.params.id);
      await sendArtifact(deps.store, runArtifactsPrefix(run.id), req.params.name, res);
    },
  };
}

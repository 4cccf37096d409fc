import type { Request, Response } from 'express';
import { isId, runArtifactsPrefix, type RunStatus } from '@cam/queue';
import { isFinishedState, type RunView } from '@cam/contracts';
import type { ApiDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { streamEvents, type EventStreamOptions } from '../services/event-stream.js';
import { sendArtifact } from '../services/files.js';
import { runFiles, snapshotRun } from '../services/runs.js';

/** Options of the event streams (runs and sweeps). */
export type RunEventsOptions = EventStreamOptions;

async function findRun(deps: ApiDeps, id: string): Promise<RunStatus> {
  const run = isId(id, 'run') ? await deps.registry.getRun(id) : null;
  if (run === null) throw notFound('run', id);
  return run;
}

export function runsController(deps: ApiDeps, events: RunEventsOptions = {}) {
  return {
    /** GET /v1/runs/:id */
    async get(req: Request<{ id: string }>, res: Response): Promise<void> {
      const { run, state, failure } = await snapshotRun(deps, await findRun(deps, req.params.id));
      const { metrics, artifacts } = await runFiles(deps, run.id);
      const body: RunView = {
        id: run.id,
        sweepId: run.sweepId,
        state,
        params: run.params,
        progress: run.progress,
        metrics,
        artifacts,
        failure,
      };
      res.json(body);
    },

    /**
     * GET /v1/runs/:id/events: Server-Sent Events. `state` events when the state changes, `progress` events
     * when the latest progress changes (polled, so fast reports may coalesce; each event carries the latest),
     * in order, with increasing ids; the stream ends after a final state (completed, failed, cancelled).
     */
    async events(req: Request<{ id: string }>, res: Response): Promise<void> {
      const first = await findRun(deps, req.params.id);
      let lastState = '';
      let lastProgress = '';
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

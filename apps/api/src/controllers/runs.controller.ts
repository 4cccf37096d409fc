import type { Request, Response } from 'express';
import { isId, runArtifactsPrefix, type RunStatus } from '@cam/queue';
import type { ApiDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import type { RunView } from '../schemas.js';
import { sendArtifact } from '../services/files.js';
import { isFinished } from '../services/job-state.js';
import { runFiles, snapshotRun } from '../services/runs.js';

export interface RunEventsOptions {
  /** How often the run is polled for changes. @defaultValue 500 */
  intervalMs?: number;
  /** Comment lines keep idle proxies from closing the stream. @defaultValue 15000 */
  heartbeatMs?: number;
}

async function findRun(deps: ApiDeps, id: string): Promise<RunStatus> {
  const run = isId(id, 'run') ? await deps.registry.getRun(id) : null;
  if (run === null) throw notFound('run', id);
  return run;
}

async function describeRun(deps: ApiDeps, status: RunStatus): Promise<RunView> {
  const { run, state } = await snapshotRun(deps, status);
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
  };
}

export function runsController(deps: ApiDeps, events: RunEventsOptions = {}) {
  const intervalMs = events.intervalMs ?? 500;
  const heartbeatMs = events.heartbeatMs ?? 15_000;
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
      if (job !== undefined && !(await job.isActive())) await job.remove().catch(() => undefined);
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
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      });
      let eventId = 0;
      let lastState = '';
      let lastProgress = '';
      let epochsSent = 0;
      let closed = false;
      const send = (event: string, data: unknown) => {
        eventId += 1;
        res.write(`id: ${eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const poll = async (run: RunStatus) => {
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
        return isFinished(snapshot.state);
      };
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
      req.on('close', () => {
        closed = true;
        clearInterval(heartbeat);
      });
      let finished = await poll(first);
      // The loop runs after the handler returns (the response stays open), so its errors end the stream.
      void (async () => {
        while (!finished && !closed) {
          await new Promise((r) => setTimeout(r, intervalMs));
          if (closed) break;
          try {
            const run = await deps.registry.getRun(first.id);
            if (run !== null && deps.redis.status === 'ready') finished = await poll(run);
          } catch {
            // Redis briefly unreachable: keep the stream open and poll again.
          }
        }
        clearInterval(heartbeat);
        res.end();
      })();
    },

    /** GET /v1/runs/:id/artifacts/:name */
    async artifact(req: Request<{ id: string; name: string }>, res: Response): Promise<void> {
      const run = await findRun(deps, req.params.id);
      await sendArtifact(deps.store, runArtifactsPrefix(run.id), req.params.name, res);
    },
  };
}

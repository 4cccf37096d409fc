import type { Request, Response } from 'express';
import { isId, runArtifactsPrefix, type RunStatus } from '@cam/queue';
import type { ApiDeps } from '../deps.js';
import { notFound } from '../errors.js';
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

export function runsController(deps: ApiDeps, events: RunEventsOptions = {}) {
  const intervalMs = events.intervalMs ?? 500;
  const heartbeatMs = events.heartbeatMs ?? 15_000;
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
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      });
      let eventId = 0;
      let lastState = '';
      let lastProgress = '';
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

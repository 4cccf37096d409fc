import type { Request, Response } from 'express';

export interface EventStreamOptions {
  /** How often the source is polled for changes. @defaultValue 500 */
  intervalMs?: number;
  /** Comment lines keep idle proxies from closing the stream. @defaultValue 15000 */
  heartbeatMs?: number;
}

/** Writes one event; ids increase within a stream. */
export type SendEvent = (event: string, data: unknown) => void;

/**
 * Serves Server-Sent Events from a poll: `poll(send)` is called at once and then every intervalMs, sends what
 * changed and returns true once the stream should end. A poll that throws (Redis briefly unreachable) is
 * retried at the next tick; the stream also ends when the client goes away.
 */
export async function streamEvents(
  req: Request,
  res: Response,
  poll: (send: SendEvent) => Promise<boolean>,
  options: EventStreamOptions & {
    /** False while the source cannot answer (Redis reconnecting): ticks are skipped rather than queued. */
    ready: () => boolean;
  },
): Promise<void> {
  const intervalMs = options.intervalMs ?? 500;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
  });
  let eventId = 0;
  let closed = false;
  const send: SendEvent = (event, data) => {
    eventId += 1;
    res.write(`id: ${eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? 15_000);
  req.on('close', () => {
    closed = true;
    clearInterval(heartbeat);
  });
  let finished = await poll(send);
  // Streams opened together (a page of runs, a reconnecting dashboard) would poll in one burst every interval
  // and stall the event loop for all of its reads: a random first wait spreads their ticks over the interval.
  let waitMs = Math.random() * intervalMs;
  // The loop runs after the handler returns (the response stays open), so its errors end the stream.
  void (async () => {
    while (!finished && !closed) {
      await new Promise((r) => setTimeout(r, waitMs));
      waitMs = intervalMs;
      if (closed) break;
      if (!options.ready()) continue;
      try {
        finished = await poll(send);
      } catch {
        // Redis briefly unreachable: keep the stream open and poll again.
      }
    }
    clearInterval(heartbeat);
    res.end();
  })();
}

/** The signals that ask a process to stop: Compose's `stop` sends SIGTERM, Ctrl-C SIGINT. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Handles SIGTERM and SIGINT: the first one calls `onFirst`; a second one, while the first is being handled,
 * calls `onSecond` (e.g. a log line) and exits 130 at once, as a second Ctrl-C should. Returns a function
 * that removes the handlers.
 */
export function onStopSignals(
  onFirst: (signal: NodeJS.Signals) => void,
  onSecond: (signal: NodeJS.Signals) => void = () => undefined,
): () => void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) {
      onSecond(signal);
      process.exit(130);
    }
    signalled = true;
    onFirst(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handler);
  };
}

/**
 * On SIGTERM or SIGINT: logs `${signal}: ${doing}`, awaits `close` (a worker finishing or handing back its job,
 * a server closing), then exits 0, or 1 when closing failed. A second signal while closing exits 130 at once.
 */
export function closeOnSignals(close: () => Promise<void>, log: (line: string) => void, doing: string): void {
  onStopSignals(
    (signal) => {
      log(`${signal}: ${doing}`);
      close().then(
        () => process.exit(0),
        (err: unknown) => {
          log(`shutdown failed: ${String(err)}`);
          process.exit(1);
        },
      );
    },
    (signal) => log(`${signal} while closing: exiting now`),
  );
}

/** A worker process's log: ISO time, role and pid before each line, on stdout (what Compose collects). */
export function workerLog(role: string): (line: string) => void {
  return (line) => console.log(`${new Date().toISOString()} ${role} ${process.pid}: ${line}`);
}

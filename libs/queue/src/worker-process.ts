/** A worker process's log: ISO time, role and pid before each line, on stdout (what Compose collects). */
export function workerLog(role: string): (line: string) => void {
  return (line) => console.log(`${new Date().toISOString()} ${role} ${process.pid}: ${line}`);
}

/**
 * On SIGTERM or SIGINT (Compose's `stop` sends SIGTERM): logs `${signal}: ${doing}`, awaits `close` (a worker
 * finishing or handing back its job), then exits 0, or 1 when closing failed. A second signal while closing
 * exits 130 at once, as a second Ctrl-C should.
 */
export function closeOnSignals(close: () => Promise<void>, log: (line: string) => void, doing: string): void {
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) {
        log(`${signal} while closing: exiting now`);
        process.exit(130);
      }
      closing = true;
      log(`${signal}: ${doing}`);
      close().then(
        () => process.exit(0),
        (err: unknown) => {
          log(`shutdown failed: ${String(err)}`);
          process.exit(1);
        },
      );
    });
  }
}

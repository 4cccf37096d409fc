/**
 * Wraps a read so that calls for the same key made while one is in flight share a single next read, started when
 * the one in flight ends. Every caller still gets a read that began after its call (never an older answer), and at
 * most two reads per key run at once, however many clients poll it: 200 requests a second for one sweep's view
 * cost a few reads, not 200.
 */
export function coalesceReads<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const inFlight = new Map<string, Promise<T>>();
  const queued = new Map<string, Promise<T>>();
  const start = (key: string): Promise<T> => {
    const promise = read(key).finally(() => {
      if (inFlight.get(key) === promise) inFlight.delete(key);
    });
    inFlight.set(key, promise);
    return promise;
  };
  return (key) => {
    const waiting = queued.get(key);
    if (waiting !== undefined) return waiting;
    const current = inFlight.get(key);
    if (current === undefined) return start(key);
    const next = current
      .catch(() => undefined)
      .then(() => {
        queued.delete(key);
        return start(key);
      });
    queued.set(key, next);
    return next;
  };
}

import type { TrainProgress } from '@cam/queue';

export interface ProgressReporterOptions {
  /** Least time between two step reports; the last step of an epoch is always sent. @defaultValue 250 */
  minIntervalMs?: number;
  /** Called when sending fails (e.g. Redis briefly down); training goes on. @defaultValue ignore */
  onError?: (err: unknown) => void;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * Throttles training progress and sends it in order: one send at a time, each after the previous one, so the
 * consumer sees epochs and steps increase. `report` never blocks training; `flush` waits for what is queued.
 */
export class ProgressReporter {
  private lastSentAt = -Infinity;
  private lastEpoch = -1;
  private chain: Promise<void> = Promise.resolve();
  private readonly minIntervalMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly now: () => number;

  constructor(
    private readonly send: (progress: TrainProgress) => Promise<unknown>,
    opts: ProgressReporterOptions = {},
  ) {
    this.minIntervalMs = opts.minIntervalMs ?? 250;
    this.onError = opts.onError ?? (() => undefined);
    this.now = opts.now ?? Date.now;
  }

  /** Queues `progress` unless one of the same epoch went out less than minIntervalMs ago. */
  readonly report = (progress: TrainProgress): void => {
    const now = this.now();
    const epochDone = progress.step >= progress.steps;
    const newEpoch = progress.epoch !== this.lastEpoch;
    if (!epochDone && !newEpoch && now - this.lastSentAt < this.minIntervalMs) return;
    this.lastSentAt = now;
    this.lastEpoch = progress.epoch;
    const snapshot = { ...progress };
    this.chain = this.chain.then(() => this.send(snapshot)).then(() => undefined, this.onError);
  };

  flush(): Promise<void> {
    return this.chain;
  }
}

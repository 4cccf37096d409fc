import { isFinishedState, type JobState } from '@cam/contracts';

/** When each run was first seen active and first seen finished, from polling; and how much they overlapped. */
export class ActivityLog {
  private readonly spans = new Map<string, { start?: number; end?: number }>();

  observe(runId: string, state: JobState, now = Date.now()): void {
    const span = this.spans.get(runId) ?? {};
    if (state === 'active' && span.start === undefined) span.start = now;
    if (isFinishedState(state) && span.end === undefined) {
      span.start ??= now;
      span.end = now;
    }
    this.spans.set(runId, span);
  }

  /** Milliseconds during which at least two runs were active at once (0 when they never were). */
  overlapMs(now = Date.now()): number {
    const edges = [...this.spans.values()]
      .filter((s) => s.start !== undefined)
      .flatMap((s) => [
        { at: s.start!, delta: 1 },
        { at: s.end ?? now, delta: -1 },
      ])
      .sort((a, b) => a.at - b.at || a.delta - b.delta);
    let active = 0;
    let overlap = 0;
    for (let i = 0; i < edges.length; i++) {
      active += edges[i]!.delta;
      if (active >= 2 && i + 1 < edges.length) overlap += edges[i + 1]!.at - edges[i]!.at;
    }
    return overlap;
  }
}

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

  /** Milliseconds during which every observed run was active at once (0 when they never were). */
  overlapMs(now = Date.now()): number {
    const spans = [...this.spans.values()].filter((s) => s.start !== undefined);
    if (spans.length < 2) return 0;
    const start = Math.max(...spans.map((s) => s.start!));
    const end = Math.min(...spans.map((s) => s.end ?? now));
    return Math.max(0, end - start);
  }
}

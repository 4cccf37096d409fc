import type { TrainProgress } from '@cam/queue';
import { describe, expect, it } from 'vitest';
import { ProgressReporter } from '../src/progress.js';

const progress = (epoch: number, step: number, steps = 10): TrainProgress => ({
  epoch,
  epochs: 2,
  step,
  steps,
  loss: 1 / (epoch * steps + step),
  accuracy: 0.5,
  imagesPerSecond: 100,
  etaSeconds: 1,
});

describe('ProgressReporter', () => {
  it('sends at most one step report per interval, plus the first step of each epoch and each epoch end', async () => {
    let clock = 0;
    const sent: string[] = [];
    const reporter = new ProgressReporter(async (p) => sent.push(`${p.epoch}.${p.step}`), {
      minIntervalMs: 250,
      now: () => clock,
    });
    for (const epoch of [1, 2]) {
      for (let step = 1; step <= 10; step++) {
        reporter.report(progress(epoch, step));
        clock += 100;
      }
    }
    await reporter.flush();
    // t=0 1.1, t=300 1.4, t=600 1.7, t=900 1.10 (epoch end), t=1000 2.1 (new epoch), 2.4, 2.7, 2.10.
    expect(sent).toEqual(['1.1', '1.4', '1.7', '1.10', '2.1', '2.4', '2.7', '2.10']);
  });

  it('sends one report at a time, in order, even when sends finish out of order', async () => {
    const finished: number[] = [];
    let active = 0;
    let maxActive = 0;
    const reporter = new ProgressReporter(
      async (p) => {
        active++;
        maxActive = Math.max(maxActive, active);
        // Earlier reports take longer: without the chain they would land after later ones.
        await new Promise((r) => setTimeout(r, 30 - p.step * 5));
        finished.push(p.step);
        active--;
      },
      { minIntervalMs: 0 },
    );
    for (let step = 1; step <= 5; step++) reporter.report(progress(1, step));
    await reporter.flush();
    expect(finished).toEqual([1, 2, 3, 4, 5]);
    expect(maxActive).toBe(1);
  });

  it('keeps going after a failed send and reports the error', async () => {
    const errors: unknown[] = [];
    const sent: number[] = [];
    const reporter = new ProgressReporter(
      async (p) => {
        if (p.step === 1) throw new Error('redis down');
        sent.push(p.step);
      },
      { minIntervalMs: 0, onError: (err) => errors.push(err) },
    );
    reporter.report(progress(1, 1));
    reporter.report(progress(1, 2));
    await reporter.flush();
    expect(sent).toEqual([2]);
    expect(String(errors[0])).toMatch(/redis down/);
  });

  it('sends a copy, so later changes to the caller object do not leak into a queued report', async () => {
    const sent: TrainProgress[] = [];
    const reporter = new ProgressReporter(async (p) => sent.push(p), { minIntervalMs: 0 });
    const p = progress(1, 1);
    reporter.report(p);
    p.step = 9;
    await reporter.flush();
    expect(sent[0].step).toBe(1);
  });
});

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunParams } from '@cam/queue';
import { exited, TrainerHarness, type ProgressEvent } from './worker-harness.js';

/** Progress events of one job never go back: (epoch, step) increases strictly. */
function expectInOrder(events: ProgressEvent[]): void {
  expect(events.length).toBeGreaterThan(0);
  for (let i = 1; i < events.length; i++) {
    const [a, b] = [events[i - 1].progress, events[i].progress];
    expect(
      b.epoch > a.epoch || (b.epoch === a.epoch && b.step > a.step),
      `${a.epoch}.${a.step} then ${b.epoch}.${b.step}`,
    ).toBe(true);
  }
}

function metricsOf(h: TrainerHarness, runId: string): { epochsRun: number; history: unknown[] } {
  return JSON.parse(readFileSync(join(h.artifactsDir, 'runs', runId, 'metrics.json'), 'utf8'));
}

/** Starts trainer 'first' on a 4-epoch run and waits until epoch 1 is checkpointed (epoch 2 reports). */
async function runIntoEpoch2(h: TrainerHarness): Promise<{ first: ChildProcess; runId: string }> {
  await h.ready();
  const first = h.startTrainer('first');
  const runId = await h.addRun({ epochs: 4 });
  await h.until('epoch 2 of the first attempt', () =>
    h.progressOf(runId).some((e) => e.progress.epoch === 2),
  );
  return { first, runId };
}

/** Starts trainer 'second', waits for the run to complete there; returns the progress reported after `since`. */
async function finishOnSecondTrainer(
  h: TrainerHarness,
  runId: string,
  since: number,
): Promise<ProgressEvent[]> {
  h.startTrainer('second');
  await h.until('the run to complete on the second trainer', () => h.completed.has(runId), 120_000);
  return h.progressOf(runId).filter((e) => e.at > since);
}

describe('trainer worker processes', () => {
  let h: TrainerHarness;
  afterEach(async () => h?.close());

  it("trains a sweep's two runs on two trainers at the same time, with ordered progress and the result contract", async () => {
    h = new TrainerHarness();
    await h.ready();
    h.startTrainer('t1');
    h.startTrainer('t2');
    const runs = [await h.addRun({ learningRate: 0.01 }), await h.addRun({ learningRate: 0.03 })];
    await h.until('both runs completed', () => runs.every((id) => h.completed.has(id)), 120_000);

    // Overlap: each run became active before the other one completed.
    const [a, b] = runs;
    expect(h.active.get(a)!).toBeLessThan(h.completed.get(b)!);
    expect(h.active.get(b)!).toBeLessThan(h.completed.get(a)!);
    // Two different processes ran them.
    const pids = runs.map((id) => h.output.find((l) => l.includes(`run ${id}: training`))!.split(']')[0]);
    expect(new Set(pids).size).toBe(2);

    for (const runId of runs) {
      const events = h.progressOf(runId);
      expectInOrder(events);
      const seen = `${JSON.stringify(events.map((e) => `${e.progress.epoch}.${e.progress.step}`))}\n${h.output.join('\n')}`;
      expect(events.at(-1)!.progress, seen).toMatchObject({ epoch: 3, epochs: 3 });
      expect(events.at(-1)!.progress.step).toBe(events.at(-1)!.progress.steps);
      const job = (await h.queue.getJob(runId))!;
      expect(job.returnvalue.runId).toBe(runId);
      expect(job.returnvalue.metrics.epochsRun).toBe(3);
      expect(job.returnvalue.artifacts).toEqual(
        expect.arrayContaining(['model.json', 'weights.bin', 'metrics.json']),
      );
      expect(job.returnvalue.artifacts.some((name: string) => name.startsWith('checkpoint/'))).toBe(false);
      // The registry's run hash holds the latest progress for the API (libs/queue README: <prefix>:run:<id>).
      const latest = JSON.parse((await h.redis.hget(`${h.registryPrefix}:run:${runId}`, 'progress'))!);
      expect(latest).toMatchObject({ epoch: 3, step: latest.steps });
    }
  });

  it('after kill -9 of its trainer, a run completes on a restarted trainer without starting over from epoch 1', async () => {
    h = new TrainerHarness();
    const { first, runId } = await runIntoEpoch2(h);
    first.kill('SIGKILL');
    await exited(first);
    const resumed = await finishOnSecondTrainer(h, runId, Date.now());

    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed[0].progress.epoch).toBeGreaterThanOrEqual(2);
    const metrics = metricsOf(h, runId);
    expect(metrics.epochsRun).toBe(4);
    expect(metrics.history).toHaveLength(4);
    // The model library's own resume marker, logged by the second trainer.
    expect(h.output).toContainEqual(
      expect.stringMatching(new RegExp(`^\\[second\\].*run ${runId}: resuming from .*: epoch [1-3] done`)),
    );
  });

  it('on SIGTERM gives the running job back to the queue (not failed, no attempt used), and it resumes elsewhere', async () => {
    h = new TrainerHarness();
    const { first, runId } = await runIntoEpoch2(h);
    first.kill('SIGTERM');
    expect(await exited(first)).toEqual({ code: 0, signal: null });
    const job = (await h.queue.getJob(runId))!;
    expect(await job.getState()).toBe('waiting');
    expect(job.attemptsMade).toBe(0);
    expect(h.output).toContainEqual(
      expect.stringMatching(`run ${runId}: checkpointed after epoch \\d and given back to the queue`),
    );

    const resumed = await finishOnSecondTrainer(h, runId, Date.now());
    // SIGTERM checkpoints mid-epoch: the next attempt continues after the last step done, not at step 1 of epoch 1.
    expect(resumed[0].progress.epoch * 1000 + resumed[0].progress.step).toBeGreaterThan(2001);
    expect(h.output).toContainEqual(
      expect.stringMatching(new RegExp(`^\\[second\\].*run ${runId}: resuming from`)),
    );
    expect(metricsOf(h, runId).epochsRun).toBe(4);
  });

  it('stops a cancelled run: the job fails without retry', async () => {
    h = new TrainerHarness();
    await h.ready();
    h.startTrainer('t');
    const runId = await h.addRun({ epochs: 20 });
    await h.until('training to start', () => h.progressOf(runId).length > 0);
    await h.registry.cancelRun(runId);
    const job = (await h.queue.getJob(runId))!;
    await h.until('the job to fail', async () => (await job.getState()) === 'failed', 30_000);
    const failed = (await h.queue.getJob(runId))!;
    expect(failed.failedReason).toMatch(/cancelled/);
    expect(failed.attemptsMade).toBe(1);
  });

  it('fails a run the model library can never train at once, without retry, with the reason', async () => {
    h = new TrainerHarness();
    await h.ready();
    h.startTrainer('t');
    const cases: [Partial<RunParams>, RegExp][] = [
      [{ arch: { convs: [{ filters: 4, kernelSize: 2 }] } }, /must be odd.*arch.*kernelSize/s],
      [{ patience: 2, validationSplit: 0 }, /early stopping needs a validation set.*patience/s],
      [{ trainSize: 1, validationSplit: 0.5 }, /leaves no training images.*trainSize/s],
    ];
    const runIds = await Promise.all(cases.map(([params]) => h.addRun(params)));
    for (const [i, runId] of runIds.entries()) {
      await h.until(`run ${i} to fail`, async () => (await h.queue.getJob(runId))?.finishedOn !== undefined);
      const job = (await h.queue.getJob(runId))!;
      expect(await job.getState()).toBe('failed');
      expect(job.failedReason).toMatch(cases[i]![1]);
      expect(job.attemptsMade).toBe(1);
    }
    expect(h.progress).toHaveLength(0);
  });
});

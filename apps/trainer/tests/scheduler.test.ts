import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ashaDecide } from '@cam/recipe';
import { newId, type Scheduler } from '@cam/queue';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, TrainerHarness } from './worker-harness.js';

/** ASHA with rungs at epochs 1 and 2 of a 3-epoch run. */
const ASHA: Scheduler = {
  type: 'asha',
  metric: 'validationAccuracy',
  mode: 'max',
  gracePeriod: 1,
  reductionFactor: 2,
};

function metricsOf(h: TrainerHarness, runId: string) {
  return JSON.parse(readFileSync(join(h.artifactsDir, 'runs', runId, 'metrics.json'), 'utf8')) as {
    epochsRun: number;
    stoppedEarly: boolean;
    history: { epoch: number; valAccuracy: number }[];
  };
}

/** Other runs of the sweep that reached rung 1 earlier with these validation accuracies. */
async function seedRung(h: TrainerHarness, sweepId: string, values: number[]): Promise<void> {
  for (const [i, value] of values.entries())
    await h.registry.rungs.decide(sweepId, 1, `r-earlier${i}`, value, ASHA);
}

describe('ASHA in trainer processes (real Redis)', () => {
  let h: TrainerHarness;
  afterEach(async () => h?.close());

  it('stops a run below the cutoff at its first rung: state, artifacts and history of the epoch reached', async () => {
    h = new TrainerHarness();
    await h.ready();
    const sweepId = newId('sweep');
    await seedRung(h, sweepId, [0.97, 0.98]); // no tiny net gets near these after one epoch
    h.startTrainer('t1');
    const runId = await h.addRun({ epochs: 3 }, { sweepId, scheduler: ASHA });
    await h.until('the run to end', () => h.completed.has(runId), 120_000);

    const run = (await h.registry.getRun(runId))!;
    expect(run.stoppedAtEpoch).toBe(1);
    expect(run.history.map((r) => r.epoch)).toEqual([1]);
    const [entry] = (await h.registry.rungs.entries(sweepId, 1)).filter((e) => e.runId === runId);
    expect(entry).toMatchObject({ action: 'stop', value: run.history[0]!.valAccuracy, order: 2 });
    const job = (await h.queue.getJob(runId))!;
    expect(job.returnvalue.metrics.epochsRun).toBe(1);
    expect(job.returnvalue.artifacts).toEqual(
      expect.arrayContaining(['model.json', 'weights.bin', 'metrics.json']),
    );
    expect(metricsOf(h, runId)).toMatchObject({ epochsRun: 1, stoppedEarly: true });
    expect(h.output.some((l) => l.includes(`run ${runId}: rung 1`) && l.endsWith('stop'))).toBe(true);
    // The worker is free at once: no epoch 2 was trained.
    expect(h.progressOf(runId).every((e) => e.progress.epoch === 1)).toBe(true);
  });

  it('lets a run above the cutoff through every rung to its last epoch', async () => {
    h = new TrainerHarness();
    await h.ready();
    const sweepId = newId('sweep');
    await seedRung(h, sweepId, [0.01, 0.02]);
    h.startTrainer('t1');
    const runId = await h.addRun({ epochs: 3 }, { sweepId, scheduler: ASHA });
    await h.until('the run to complete', () => h.completed.has(runId), 120_000);
    const run = (await h.registry.getRun(runId))!;
    expect(run.stoppedAtEpoch).toBeNull();
    expect(run.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    // Rung 2 had no earlier value: the run was the first there and went on.
    expect(await h.registry.rungs.entries(sweepId, 2)).toMatchObject([
      { runId, action: 'continue', cutoff: null },
    ]);
    expect(metricsOf(h, runId)).toMatchObject({ epochsRun: 3, stoppedEarly: false });
  });

  it('two trainers crossing the same rung together get decisions consistent with the arrival order', async () => {
    h = new TrainerHarness();
    await h.ready();
    const sweepId = newId('sweep');
    h.startTrainer('t1');
    h.startTrainer('t2');
    const runs = [
      await h.addRun({ epochs: 3, learningRate: 0.01 }, { sweepId, scheduler: ASHA }),
      await h.addRun({ epochs: 3, learningRate: 0.0005 }, { sweepId, scheduler: ASHA }),
    ];
    await h.until('both runs to end', () => runs.every((id) => h.completed.has(id)), 180_000);
    const entries = await h.registry.rungs.entries(sweepId, 1);
    expect(entries.map((e) => e.order)).toEqual([0, 1]);
    expect(new Set(entries.map((e) => e.runId))).toEqual(new Set(runs));
    expect(entries[0]).toMatchObject({ action: 'continue', cutoff: null });
    const second = entries[1]!;
    expect(ashaDecide(ASHA, [entries[0]!.value!], second.value!)).toEqual({
      action: second.action,
      cutoff: second.cutoff,
    });
    for (const entry of entries) {
      const run = (await h.registry.getRun(entry.runId))!;
      expect(run.stoppedAtEpoch).toBe(entry.action === 'stop' ? 1 : null);
      expect(metricsOf(h, entry.runId).epochsRun).toBe(entry.action === 'stop' ? 1 : 3);
    }
  });

  it('a trainer killed (-9) right after a stop decision: the run resumes elsewhere and keeps that decision', async () => {
    h = new TrainerHarness();
    await h.ready();
    const sweepId = newId('sweep');
    await seedRung(h, sweepId, [0.97, 0.98]);
    const first = h.startTrainer('first');
    const runId = await h.addRun({ epochs: 3 }, { sweepId, scheduler: ASHA });
    await h.until(
      'the decision at rung 1',
      async () => (await h.registry.rungs.entries(sweepId, 1)).some((e) => e.runId === runId),
      120_000,
    );
    first.kill('SIGKILL');
    await exited(first);
    h.startTrainer('second');
    await h.until('the run to end on the second trainer', () => h.completed.has(runId), 120_000);
    const mine = (await h.registry.rungs.entries(sweepId, 1)).filter((e) => e.runId === runId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.action).toBe('stop');
    expect((await h.registry.getRun(runId))!.stoppedAtEpoch).toBe(1);
    expect(metricsOf(h, runId).epochsRun).toBe(1);
    expect((await h.queue.getJob(runId))!.returnvalue.metrics.epochsRun).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { ActivityLog } from '../src/activity.js';
import { runTable } from '../src/demo-run.js';
import { RUN_PARAM_DEFAULTS, runFraction, type RunView } from '@cam/contracts';

const progress = {
  epoch: 2,
  epochs: 2,
  step: 5,
  steps: 10,
  loss: 0.5,
  accuracy: 0.8,
  imagesPerSecond: 50,
  etaSeconds: 10,
};

function run(id: string, learningRate: number, metrics: RunView['metrics'] = null): RunView {
  return {
    id,
    sweepId: 's-1',
    state: 'completed',
    params: { ...RUN_PARAM_DEFAULTS, learningRate },
    progress,
    metrics,
    artifacts: [],
    failure: null,
    history: [],
    stoppedAtEpoch: null,
  };
}

describe('runFraction', () => {
  it('counts finished epochs and steps of the current one', () => {
    expect(runFraction({ state: 'active', progress })).toBeCloseTo(0.75);
    expect(runFraction({ state: 'queued', progress: null })).toBe(0);
    expect(runFraction({ state: 'completed', progress: null })).toBe(1);
  });
});

describe('ActivityLog', () => {
  it('measures how long the runs were active at the same time', () => {
    const log = new ActivityLog();
    log.observe('a', 'active', 1000);
    log.observe('b', 'queued', 1000);
    log.observe('b', 'active', 3000);
    log.observe('a', 'completed', 9000);
    log.observe('b', 'completed', 12_000);
    expect(log.overlapMs()).toBe(6000);
  });

  it('is 0 when one run waited for the other', () => {
    const log = new ActivityLog();
    log.observe('a', 'active', 0);
    log.observe('a', 'completed', 5000);
    log.observe('b', 'active', 6000);
    log.observe('b', 'completed', 9000);
    expect(log.overlapMs()).toBe(0);
  });

  it('counts the time at least two of three runs on two workers were active', () => {
    const log = new ActivityLog();
    log.observe('a', 'active', 0);
    log.observe('b', 'active', 1000);
    log.observe('a', 'stopped', 4000);
    log.observe('c', 'active', 4000);
    log.observe('b', 'completed', 7000);
    log.observe('c', 'completed', 9000);
    expect(log.overlapMs()).toBe(6000);
  });
});

describe('runTable', () => {
  it('lists each run with its accuracies in percent and marks the best', () => {
    const table = runTable(
      [
        run('r-a', 0.001, {
          epochsRun: 2,
          trainAccuracy: 0.9,
          validationAccuracy: 0.91,
          testAccuracy: 0.905,
          testLoss: 0.3,
          wallSeconds: 100,
          history: [],
        }),
        {
          ...run('r-b', 0.003),
          state: 'stopped',
          params: { ...RUN_PARAM_DEFAULTS, learningRate: 0.003, batchSize: 32, lrSchedule: 'cosine' },
        },
      ],
      'r-a',
      [
        {
          epoch: 2,
          cutoff: 0.5,
          entries: [
            { runId: 'r-a', value: 0.5, cutoff: null, action: 'continue', order: 0 },
            { runId: 'r-b', value: 0.4, cutoff: 0.5, action: 'stop', order: 1 },
          ],
        },
      ],
    );
    const lines = table.split('\n');
    expect(lines[0]).toMatch(
      /^run\s+lr\s+batch\s+schedule\s+state\s+epochs\s+train %\s+val %\s+test %\s+wall s\s+rungs$/,
    );
    expect(lines[2]).toMatch(
      /^r-a \*\s+0\.001\s+16\s+constant\s+completed\s+2\s+90\.00\s+91\.00\s+90\.50\s+100\.0\s+2:go$/,
    );
    expect(lines[3]).toMatch(/^r-b\s+0\.003\s+32\s+cosine\s+stopped\s+-\s+-\s+-\s+-\s+-\s+2:stop<0\.5000$/);
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, SgdMomentum, type TrainingOptimizer, initBackend, scheduledRate } from '../src/index.js';

/** Runs `steps` updates of a fixed quadratic-ish loss on fresh variables and returns their values. */
function runSteps(
  make: (vars: tf.Variable[]) => tf.Optimizer,
  steps: number,
  vars = freshVariables(),
): { vars: tf.Variable[]; values: Float32Array[] } {
  const optimizer = make(vars);
  for (let s = 0; s < steps; s++) step(optimizer, vars, s);
  return { vars, values: vars.map((v) => v.dataSync() as Float32Array) };
}

function freshVariables(): tf.Variable[] {
  return [tf.variable(tf.tensor([0.5, -1.5, 2, 0.1], [2, 2])), tf.variable(tf.tensor([3, -0.25]))];
}

function step(optimizer: tf.Optimizer, vars: tf.Variable[], s: number): void {
  const target = tf.scalar(s % 3);
  optimizer.minimize(
    () => tf.add(tf.sum(tf.square(tf.sub(vars[0]!, target))), tf.sum(tf.pow(vars[1]!, 4))) as tf.Scalar,
    false,
    vars,
  );
  target.dispose();
}

describe('optimizers', () => {
  beforeAll(() => initBackend('cpu'));

  it('Adam follows tfjs Adam (same betas and epsilon) to float precision', () => {
    const ours = runSteps((v) => new Adam(v, 0.01), 20).values;
    const theirs = runSteps(() => tf.train.adam(0.01, 0.9, 0.999, 1e-7), 20).values;
    ours.forEach((o, i) => o.forEach((x, j) => expect(x).toBeCloseTo(theirs[i]![j]!, 5)));
  });

  it('SGD with momentum follows tfjs momentum', () => {
    const ours = runSteps((v) => new SgdMomentum(v, 0.01, 0.9), 20).values;
    const theirs = runSteps(() => tf.train.momentum(0.01, 0.9), 20).values;
    ours.forEach((o, i) => o.forEach((x, j) => expect(x).toBeCloseTo(theirs[i]![j]!, 6)));
  });

  it.each([
    ['adam', (v: tf.Variable[]) => new Adam(v, 0.01)],
    ['sgd', (v: tf.Variable[]) => new SgdMomentum(v, 0.01, 0.9)],
  ])(
    '%s: a restored state continues bit for bit like the original',
    (_name, make: (v: tf.Variable[]) => TrainingOptimizer) => {
      const vars = freshVariables();
      const original = make(vars);
      for (let s = 0; s < 5; s++) step(original, vars, s);
      const state = original.getState();
      const snapshot = vars.map((v) => tf.variable(v.clone()));
      const restored = make(snapshot);
      restored.setState(state);
      for (let s = 5; s < 10; s++) {
        step(original, vars, s);
        step(restored, snapshot, s);
      }
      vars.forEach((v, i) => expect(Array.from(snapshot[i]!.dataSync())).toEqual(Array.from(v.dataSync())));
    },
  );

  it('rejects a bad learning rate, momentum and a state of another shape', () => {
    expect(() => new Adam(freshVariables(), 0)).toThrow(/learningRate: must be a positive number/);
    expect(() => new SgdMomentum(freshVariables(), 0.1, 1)).toThrow(/momentum: must be in \[0, 1\)/);
    const adam = new Adam(freshVariables(), 0.1);
    expect(() => adam.setState(new SgdMomentum(freshVariables(), 0.1).getState())).toThrow(
      /1 slots, expected 2/,
    );
  });

  it('schedules the learning rate: constant, step decay by epoch, cosine by progress', () => {
    expect(scheduledRate(0.1, { kind: 'constant' }, 7, 0.9)).toBe(0.1);
    expect(
      [0, 1, 2, 3, 4].map((e) => scheduledRate(0.1, { kind: 'step', everyEpochs: 2, factor: 2 }, e, 0)),
    ).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(scheduledRate(0.1, { kind: 'cosine' }, 0, 0)).toBe(0.1);
    expect(scheduledRate(0.1, { kind: 'cosine' }, 0, 0.5)).toBeCloseTo(0.05, 12);
  });
});

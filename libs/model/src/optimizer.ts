import * as tf from '@tensorflow/tfjs';
import type { LrSchedule } from '@cam/recipe';

export type OptimizerName = 'adam' | 'sgd';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'sgd'];

/** What resumes an optimizer exactly: its step count and its per-variable slots (Adam: m, v; SGD: velocity). */
export interface OptimizerState {
  step: number;
  /** slots[s][i]: slot s of variable i, in the order of the variables the optimizer was made for. */
  slots: Float32Array[][];
}

/**
 * An optimizer over a fixed list of variables whose whole state can be saved and restored bit for bit
 * (tfjs's own Adam rebuilds its bias correction with pow() on restore, which differs from the running
 * product in the last bits), with a learning rate the training loop may change between steps.
 * Gradients are matched to variables by name, so the order of a gradient map does not matter.
 */
export abstract class TrainingOptimizer extends tf.Optimizer {
  /** Applied at the next step; a schedule sets it before each step. */
  learningRate: number;
  protected step = 0;
  protected readonly slots: tf.Variable[][];
  private readonly index: Map<string, number>;

  protected constructor(
    protected readonly variables: tf.Variable[],
    learningRate: number,
    slotCount: number,
  ) {
    super();
    if (!(learningRate > 0))
      throw new RangeError(`learningRate: must be a positive number, got ${learningRate}`);
    this.learningRate = learningRate;
    this.index = new Map(variables.map((v, i) => [v.name, i]));
    this.slots = Array.from({ length: slotCount }, () =>
      variables.map((v) => tf.variable(tf.zeros(v.shape), false)),
    );
  }

  /** One update of variable `i` (inside a tidy); `t` is the 1-based step number. */
  protected abstract update(i: number, variable: tf.Variable, gradient: tf.Tensor, t: number): void;

  override applyGradients(gradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const named = Array.isArray(gradients)
      ? gradients
      : Object.entries(gradients).map(([name, tensor]) => ({ name, tensor }));
    const t = this.step + 1;
    tf.tidy(() => {
      for (const { name, tensor } of named) {
        const i = this.index.get(name);
        if (i === undefined) throw new Error(`optimizer: gradient for unknown variable '${name}'`);
        this.update(i, this.variables[i]!, tensor, t);
      }
    });
    this.step = t;
  }

  /** A copy of the state (see {@link OptimizerState}). */
  getState(): OptimizerState {
    return {
      step: this.step,
      slots: this.slots.map((slot) => slot.map((v) => v.dataSync() as Float32Array).map((a) => a.slice())),
    };
  }

  /** Restores a state taken by {@link getState} from an optimizer of the same kind over the same variables. */
  setState(state: OptimizerState): void {
    if (state.slots.length !== this.slots.length)
      throw new RangeError(`optimizer state: ${state.slots.length} slots, expected ${this.slots.length}`);
    state.slots.forEach((slot, s) => {
      slot.forEach((values, i) => {
        const target = this.slots[s]![i];
        if (target === undefined || target.size !== values.length)
          throw new RangeError(`optimizer state: slot ${s} of variable ${i} does not fit`);
        tf.tidy(() => target.assign(tf.tensor(values, target.shape)));
      });
    });
    this.step = state.step;
  }

  override dispose(): void {
    super.dispose();
    for (const slot of this.slots) tf.dispose(slot);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate };
  }
}

/** Adam (Kingma & Ba 2015) with Keras's defaults: beta1 0.9, beta2 0.999, epsilon 1e-7. */
export class Adam extends TrainingOptimizer {
  static className = 'CamAdam';
  constructor(
    variables: tf.Variable[],
    learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    super(variables, learningRate, 2);
  }

  protected update(i: number, variable: tf.Variable, gradient: tf.Tensor, t: number): void {
    const m = this.slots[0]![i]!;
    const v = this.slots[1]![i]!;
    m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1)));
    v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2)));
    // Bias correction from the integer step in double precision: the same after a restore.
    const stepSize = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    variable.assign(tf.sub(variable, tf.mul(tf.div(m, tf.add(tf.sqrt(v), this.epsilon)), stepSize)));
  }
}

/** SGD with (heavy-ball) momentum: velocity = momentum * velocity + gradient; w -= learningRate * velocity. */
export class SgdMomentum extends TrainingOptimizer {
  static className = 'CamSgdMomentum';
  constructor(
    variables: tf.Variable[],
    learningRate: number,
    private readonly momentum = 0.9,
  ) {
    super(variables, learningRate, 1);
    if (!(momentum >= 0 && momentum < 1))
      throw new RangeError(`momentum: must be in [0, 1), got ${momentum}`);
  }

  protected update(i: number, variable: tf.Variable, gradient: tf.Tensor): void {
    const velocity = this.slots[0]![i]!;
    velocity.assign(tf.add(tf.mul(velocity, this.momentum), gradient));
    variable.assign(tf.sub(variable, tf.mul(velocity, this.learningRate)));
  }
}

export type { LrSchedule };

/** The learning rate at a point of training; `progress` is the share of all steps done, in [0, 1). */
export function scheduledRate(base: number, schedule: LrSchedule, epoch: number, progress: number): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base / schedule.factor ** Math.floor(epoch / schedule.everyEpochs);
    case 'cosine':
      return base * 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}

/** Throws a RangeError naming the field unless the schedule is valid. */
export function validateSchedule(schedule: LrSchedule): void {
  if (schedule.kind === 'step') {
    if (!Number.isInteger(schedule.everyEpochs) || schedule.everyEpochs < 1) {
      throw new RangeError(`lrSchedule.everyEpochs: must be a positive integer, got ${schedule.everyEpochs}`);
    }
    if (!(schedule.factor > 1))
      throw new RangeError(`lrSchedule.factor: must be greater than 1, got ${schedule.factor}`);
  } else if (schedule.kind !== 'constant' && schedule.kind !== 'cosine') {
    throw new RangeError(
      `lrSchedule.kind: must be constant, step or cosine, got '${(schedule as { kind: string }).kind}'`,
    );
  }
}

import type { TrainState } from '../checkpoint.js';

type BestSoFar = Pick<TrainState, 'best' | 'sinceBest'>;

/** Records an epoch's validation accuracy: the new best (with `weights()`), or one more epoch since it. */
export function noteValidationAccuracy(
  state: BestSoFar,
  epoch: number,
  valAccuracy: number,
  weights: () => Float32Array[],
): void {
  if (state.best === null || valAccuracy > state.best.valAccuracy) {
    state.best = { epoch, valAccuracy, weights: weights() };
    state.sinceBest = 0;
  } else {
    state.sinceBest++;
  }
}

/** Whether `patience` epochs have passed without a better validation accuracy (never when patience is off). */
export function stopsEarly(patience: number | undefined, state: BestSoFar): boolean {
  return patience !== undefined && state.sinceBest >= patience;
}

/** The epoch whose weights the run keeps, and those weights when they are not the last epoch's model. */
export function keptEpoch(
  patience: number | undefined,
  state: Pick<TrainState, 'best' | 'epoch'>,
): { epoch: number; weights: Float32Array[] | null } {
  if (patience !== undefined && state.best !== null)
    return { epoch: state.best.epoch, weights: state.best.weights };
  return { epoch: state.epoch, weights: null };
}

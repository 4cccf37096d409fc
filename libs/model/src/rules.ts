/**
 * The model library's checks that need no tensors: imported alone (`@cam/model/rules`) they let request
 * schemas refuse what training would refuse, without loading tfjs.
 */
import { splitSizes } from '@cam/dataset/split';

export {
  type ArchSpec,
  ArchSpecError,
  type ConvLayerSpec,
  type InputNormalization,
  validateArch,
} from './arch.js';

/** A training option that can never work; `field` names it as TrainOptions spells it. */
export class TrainOptionsError extends RangeError {
  readonly field: string;
  readonly problem: string;

  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'TrainOptionsError';
    this.field = field;
    this.problem = problem;
  }
}

export interface ValidationSetOptions {
  validationSplit: number;
  patience?: number;
  /** Training images before the split (trainSize, or the dataset's training split when smaller); unknown: undefined. */
  trainCount?: number;
}

/**
 * The rules of a run's validation set: the share is in [0, 1), early stopping (`patience`) needs a validation
 * set, and the split must leave at least one training image.
 * @throws TrainOptionsError naming the option
 */
export function checkValidationSplit({ validationSplit, patience, trainCount }: ValidationSetOptions): void {
  if (!(validationSplit >= 0 && validationSplit < 1))
    throw new TrainOptionsError('validationSplit', `must be in [0, 1), got ${validationSplit}`);
  if (patience !== undefined && validationSplit === 0)
    throw new TrainOptionsError('patience', 'early stopping needs a validation set (validationSplit > 0)');
  if (trainCount === undefined) return;
  try {
    splitSizes(trainCount, validationSplit);
  } catch (err) {
    throw new TrainOptionsError('trainSize', (err as Error).message);
  }
}

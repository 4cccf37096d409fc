import { type ImageSet, shuffledIndices, takeIndices, takeRange } from './image-set.js';

export interface ValidationSplitOptions {
  /**
   * Share of the set held out for validation: round(count * fraction) images.
   * @defaultValue 0.2 (the seed's Keras `validation_split=0.2`)
   */
  fraction?: number;
  /**
   * Without a seed the validation set is the LAST images, unshuffled, exactly as Keras's
   * `validation_split` does (MNIST train: images 48,000..59,999), and both parts are views (no copy).
   * With a seed the set is shuffled (shuffledIndices) first and both parts are copies.
   * @defaultValue undefined
   */
  seed?: number;
}

/**
 * How many of `count` images {@link splitValidation} keeps for training and holds out for validation.
 * Pure (no images needed), so that callers can refuse a split up front.
 * @throws RangeError when the fraction is outside [0, 1) or leaves no training image
 */
export function splitSizes(count: number, fraction: number): { train: number; validation: number } {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new RangeError(`validation fraction must be in [0, 1), got ${fraction}`);
  }
  const validation = Math.round(count * fraction);
  const train = count - validation;
  if (train === 0)
    throw new RangeError(`validation fraction ${fraction} of ${count} images leaves no training images`);
  return { train, validation };
}

/** Splits a set into training and validation parts. */
export function splitValidation(
  set: ImageSet,
  opts: ValidationSplitOptions = {},
): { train: ImageSet; validation: ImageSet } {
  const { train: trainCount } = splitSizes(set.count, opts.fraction ?? 0.2);
  if (opts.seed === undefined) {
    return { train: takeRange(set, 0, trainCount), validation: takeRange(set, trainCount, set.count) };
  }
  const order = shuffledIndices(set.count, opts.seed);
  return {
    train: takeIndices(set, order.subarray(0, trainCount)),
    validation: takeIndices(set, order.subarray(trainCount)),
  };
}

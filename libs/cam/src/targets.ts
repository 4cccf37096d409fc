/**
 * Which class each image's map is drawn for: the predicted class (default), the true label, one given
 * class, or every class ('all': one map per class and image).
 */
export type CamTarget = 'predicted' | 'label' | 'all' | number;

/** Per image: the classes its maps are drawn for, `perItem` of them, flattened item-major. */
export interface ResolvedTargets {
  classes: Int32Array;
  perItem: number;
}

/** Parses a target as a user writes it: 'predicted', 'label', 'all' or a class number. */
export function parseTarget(text: string, classCount: number): CamTarget {
  if (text === 'predicted' || text === 'label' || text === 'all') return text;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n >= classCount) {
    throw new RangeError(
      `target must be predicted, label, all or a class from 0 to ${classCount - 1}, got '${text}'`,
    );
  }
  return n;
}

/** Resolves a target for a batch; throws when 'label' lacks labels or a class is out of range. */
export function resolveTargets(
  target: CamTarget,
  batch: { predicted: Int32Array; labels?: ArrayLike<number>; classCount: number },
): ResolvedTargets {
  const { predicted, labels, classCount } = batch;
  const n = predicted.length;
  if (target === 'predicted') return { classes: Int32Array.from(predicted), perItem: 1 };
  if (target === 'all') {
    const classes = new Int32Array(n * classCount);
    for (let i = 0; i < classes.length; i++) classes[i] = i % classCount;
    return { classes, perItem: classCount };
  }
  if (target === 'label') {
    if (!labels || labels.length !== n)
      throw new RangeError(`target 'label' needs a label for each of the ${n} images`);
    const classes = Int32Array.from(labels);
    classes.forEach((c, i) => {
      if (!(c >= 0 && c < classCount))
        throw new RangeError(`label of image ${i} is ${c}, outside 0..${classCount - 1}`);
    });
    return { classes, perItem: 1 };
  }
  if (!Number.isInteger(target) || target < 0 || target >= classCount) {
    throw new RangeError(`target class must be an integer from 0 to ${classCount - 1}, got ${target}`);
  }
  return { classes: new Int32Array(n).fill(target), perItem: 1 };
}

import * as tf from '@tensorflow/tfjs';
import { type DatasetName, type ImageSet, batches, loadDataset, takeFirst } from '@cam/dataset';
import { loadModel } from './io.js';
import { logitsModelOf } from './parallel/shard.js';

/** Predictions of a model over a set. */
export interface SetEvaluation {
  count: number;
  /** Mean cross-entropy. */
  loss: number;
  accuracy: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
}

/** Positive integer check with an error naming the field. */
export function checkPositiveInteger(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${field}: must be a positive integer, got ${value}`);
}

/**
 * Runs the model over `set` in batches (no gradients) and returns its mean loss, accuracy and confusion
 * matrix. Labels must lie in [0, classes).
 */
export function evaluateSet(model: tf.LayersModel, set: ImageSet, batchSize = 256): SetEvaluation {
  const logitsModel = logitsModelOf(model);
  const classes = logitsModel.outputs[0]!.shape[1]!;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let lossSum = 0;
  for (const { xs, ys } of batches(set, { batchSize })) {
    const [loss, predicted] = tf.tidy(() => {
      const logits = logitsModel.predict(xs) as tf.Tensor2D;
      const perImage = tf.losses.softmaxCrossEntropy(
        tf.oneHot(ys, classes),
        logits,
        undefined,
        undefined,
        tf.Reduction.NONE,
      );
      return [tf.sum(perImage).dataSync()[0]!, tf.argMax(logits, 1).dataSync()] as const;
    });
    const labels = ys.dataSync();
    labels.forEach((label, i) => {
      if (label >= classes)
        throw new RangeError(`label ${label} does not fit a model with ${classes} classes`);
      confusion[label]![predicted[i]!]! += 1;
    });
    lossSum += loss;
    tf.dispose([xs, ys]);
  }
  const correct = confusion.reduce((n, row, i) => n + row[i]!, 0);
  return {
    count: set.count,
    loss: set.count ? lossSum / set.count : NaN,
    accuracy: set.count ? correct / set.count : NaN,
    confusion,
  };
}

/** A confusion matrix as CSV: one row per true class, one column per predicted class. */
export function confusionCsv(confusion: number[][]): string {
  const header = ['true\\predicted', ...confusion.map((_, i) => String(i))].join(',');
  return [header, ...confusion.map((row, i) => [i, ...row].join(','))].join('\n') + '\n';
}

export interface EvaluateOptions {
  /** @defaultValue 'mnist' */
  dataset?: DatasetName;
  /** Folder holding the dataset's IDX files instead of its usual place. */
  datasetDir?: string;
  /** The first N test images. @defaultValue the whole test split */
  testSize?: number;
  /** @defaultValue 256 */
  batchSize?: number;
}

export interface EvalResult extends SetEvaluation {
  dataset: DatasetName;
  modelDir: string;
}

/** Loads a saved model and evaluates it on the test split of a dataset. */
export async function evaluate(modelDir: string, opts: EvaluateOptions = {}): Promise<EvalResult> {
  const { dataset = 'mnist', datasetDir, testSize, batchSize = 256 } = opts;
  if (testSize !== undefined) checkPositiveInteger(testSize, 'testSize');
  checkPositiveInteger(batchSize, 'batchSize');
  const model = await loadModel(modelDir);
  try {
    const all = await loadDataset({ dataset, split: 'test', dir: datasetDir });
    const set = testSize === undefined ? all : takeFirst(all, Math.min(testSize, all.count));
    return { dataset, modelDir, ...evaluateSet(model, set, batchSize) };
  } finally {
    model.dispose();
  }
}

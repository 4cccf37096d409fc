import { resolve } from 'node:path';
import { DatasetNotFoundError } from '@cam/dataset';
import { BACKEND_PREFERENCES, ModelLoadError, evaluate, initBackend } from '@cam/model';
import { type CommandIo, UsageError, choiceFlag, numberFlag, parseFlags } from '../flags.js';

export const EVAL_USAGE = `cam eval --model DIR [options]
  --model DIR          a run folder (model.json + weights.bin)
  --dataset NAME       mnist | fashion-mnist | a folder of the 4 IDX files (default mnist)
  --test-size N        the first N test images (default all)
  --batch-size N       images per forward pass (default 256)
  --backend NAME       ${BACKEND_PREFERENCES.join(' | ')} (default CAM_BACKEND or auto)
  --json               print the result (accuracy, loss, confusion matrix) as JSON`;

const FLAGS = {
  model: { type: 'string' },
  dataset: { type: 'string', default: 'mnist' },
  'test-size': { type: 'string' },
  'batch-size': { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** `cam eval`: test accuracy of a saved model. Returns the exit status: 0 done, 2 bad flags or input. */
export async function runEval(argv: string[], io: CommandIo): Promise<number> {
  const v = parseFlags(argv, FLAGS);
  if (!v.model) throw new UsageError('--model DIR is required');
  const positive = { integer: true, min: 1 };
  const testSize = numberFlag('test-size', v['test-size'], positive);
  const batchSize = numberFlag('batch-size', v['batch-size'], positive);
  const backend = await initBackend(choiceFlag('backend', v.backend, BACKEND_PREFERENCES));
  try {
    const result = await evaluate(resolve(v.model), { dataset: v.dataset, testSize, batchSize });
    if (v.json) {
      io.stdout(`${JSON.stringify({ ...result, backend: backend.backend }, null, 2)}\n`);
    } else {
      io.stdout(
        `${result.modelDir} on ${result.dataset} (${result.count} test images, backend ${backend.backend}): accuracy ${result.accuracy.toFixed(4)}, loss ${result.loss.toFixed(4)}\n`,
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof ModelLoadError || err instanceof DatasetNotFoundError)
      throw new UsageError(`--model/--dataset: ${err.message}`);
    throw err;
  }
}

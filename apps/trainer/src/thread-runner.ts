import { startTsWorker } from '@cam/process';
import type { EpochRecord, EpochVerdict, TrainOptions, TrainProgress, TrainResult } from '@cam/model';

/** The serialisable part of the options (functions and the signal stay on the main thread). */
export type ThreadTrainOptions = Omit<
  TrainOptions,
  'onProgress' | 'signal' | 'log' | 'onCheckpoint' | 'onEpochEnd'
>;

export interface ThreadData {
  options: ThreadTrainOptions;
  /** Int32 flag: 1 once the main thread asks training to stop (checkpoint and return 'aborted'). */
  abortFlag: SharedArrayBuffer;
  /** Whether the main thread has an onCheckpoint: each checkpoint then waits for its 'checkpoint-done' answer. */
  reportCheckpoints: boolean;
  /** The main thread has an onEpochEnd hook: the thread asks it after every epoch and waits for the verdict. */
  askEachEpoch: boolean;
}

export type ThreadMessage =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'log'; line: string }
  | { type: 'checkpoint'; dir: string }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'result'; result: TrainResult }
  | { type: 'error'; message: string; stack?: string };

/** The main thread's answer to a 'checkpoint' message: error set when onCheckpoint failed. */
export interface CheckpointDone {
  type: 'checkpoint-done';
  error?: string;
}

/** The main thread's answer to an 'epoch' message. */
export interface EpochAnswer {
  type: 'verdict';
  epoch: number;
  verdict: EpochVerdict;
}

/**
 * @cam/model's `train` run in a worker thread. A training epoch never yields to the event loop, so in the main
 * thread it would stall BullMQ's lock renewal, progress sends and cancellation polling for a whole epoch; in a
 * thread the main loop stays free. Same contract as `train`: progress per step, `signal` stops after the current
 * step with a checkpoint (result status 'aborted'). The thread asks one question at a time (an epoch's verdict,
 * then its checkpoint) and waits for its answer.
 */
export function trainInThread(opts: TrainOptions): Promise<TrainResult> {
  const { onProgress, signal, log, onCheckpoint, onEpochEnd, ...options } = opts;
  const data: ThreadData = {
    options,
    abortFlag: new SharedArrayBuffer(4),
    reportCheckpoints: onCheckpoint !== undefined,
    askEachEpoch: onEpochEnd !== undefined,
  };
  const requestAbort = () => Atomics.store(new Int32Array(data.abortFlag), 0, 1);
  const worker = startTsWorker(new URL('./train-thread.ts', import.meta.url), { workerData: data });
  if (signal?.aborted) requestAbort();
  signal?.addEventListener('abort', requestAbort, { once: true });

  return new Promise<TrainResult>((resolve, reject) => {
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'progress') onProgress?.(message.progress);
      else if (message.type === 'log') log?.(message.line);
      else if (message.type === 'checkpoint')
        void onCheckpoint!(message.dir).then(
          () => worker.postMessage({ type: 'checkpoint-done' } satisfies CheckpointDone),
          (err: unknown) =>
            worker.postMessage({ type: 'checkpoint-done', error: String(err) } satisfies CheckpointDone),
        );
      else if (message.type === 'epoch') {
        const { epoch } = message.record;
        Promise.resolve(onEpochEnd!(message.record)).then(
          (verdict) => worker.postMessage({ type: 'verdict', epoch, verdict } satisfies EpochAnswer),
          reject,
        );
      } else if (message.type === 'result') resolve(message.result);
      else reject(Object.assign(new Error(message.message), { stack: message.stack }));
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the training thread exited (code ${code}) before it finished`)),
    );
  }).finally(() => {
    signal?.removeEventListener('abort', requestAbort);
    void worker.terminate();
  });
}

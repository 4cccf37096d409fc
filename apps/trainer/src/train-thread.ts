// Entry of the training thread (see thread-runner.ts): runs @cam/model's train and posts what happens.
import { parentPort, workerData } from 'node:worker_threads';
import { train } from '@cam/model';
import type { CheckpointDone, EpochAnswer, ThreadData, ThreadMessage } from './thread-runner.js';

const { options, abortFlag, reportCheckpoints, askEachEpoch } = workerData as ThreadData;
const flag = new Int32Array(abortFlag);
const controller = new AbortController();
const post = (message: ThreadMessage) => parentPort!.postMessage(message);

try {
  const result = await train({
    ...options,
    signal: controller.signal,
    // train() calls this after every step, then checks the signal: the main thread's request lands here,
    // synchronously, even though this thread's event loop does not turn during an epoch.
    onProgress: (progress) => {
      if (Atomics.load(flag, 0) !== 0 && !controller.signal.aborted) controller.abort();
      post({ type: 'progress', progress });
    },
    log: (line) => post({ type: 'log', line }),
    // The main thread's onCheckpoint (e.g. a copy to the object store) runs there; training waits for its answer.
    onCheckpoint: reportCheckpoints
      ? (dir) =>
          new Promise<void>((resolve, reject) => {
            parentPort!.once('message', (done: CheckpointDone) =>
              done.error === undefined ? resolve() : reject(new Error(done.error)),
            );
            post({ type: 'checkpoint', dir });
          })
      : undefined,
    // The main thread answers each 'epoch' message with one 'verdict' message; this thread waits for it.
    onEpochEnd: askEachEpoch
      ? (record) =>
          new Promise((resolve) => {
            parentPort!.once('message', (answer: EpochAnswer) => resolve(answer.verdict));
            post({ type: 'epoch', record });
          })
      : undefined,
  });
  post({ type: 'result', result });
} catch (err) {
  post({
    type: 'error',
    message: err instanceof Error ? err.message : String(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
}

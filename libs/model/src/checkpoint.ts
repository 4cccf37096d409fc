import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from './io.js';
import type { OptimizerState } from './optimizer.js';

/** One epoch of training, as recorded in metrics.json and the checkpoint. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  /** Absent when the run has no validation set. */
  valLoss?: number;
  valAccuracy?: number;
  learningRate: number;
  seconds: number;
}

/** Running sums of the epoch in progress (a checkpoint taken mid-epoch carries them). */
export interface EpochProgress {
  step: number;
  lossSum: number;
  correct: number;
  seen: number;
}

/** Everything a run needs to go on where it stopped. */
export interface TrainState {
  /** Epochs completed. */
  epoch: number;
  /** Progress inside epoch `epoch + 1` (step 0: none). */
  partial: EpochProgress;
  history: EpochRecord[];
  /** Early stopping: the best validation accuracy so far, its epoch and weights, and epochs since. */
  best: { epoch: number; valAccuracy: number; weights: Float32Array[] } | null;
  sinceBest: number;
  weights: Float32Array[];
  optimizer: OptimizerState;
  /** Training seconds before this process (wallSeconds adds them up across resumes). */
  seconds: number;
  /** The options the run was started with (a resume with other options is refused). */
  fingerprint: Record<string, unknown>;
}

const STATE_FILE = 'state.json';

/** The checkpoint folder of a run folder. */
export function checkpointDir(outDir: string): string {
  return join(outDir, 'checkpoint');
}

function named(prefix: string, arrays: Float32Array[]): { name: string; tensor: tf.Tensor }[] {
  return arrays.map((a, i) => ({ name: `${prefix}/${i}`, tensor: tf.tensor1d(a) }));
}

function unnamed(map: tf.NamedTensorMap, prefix: string, count: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => map[`${prefix}/${i}`]!.dataSync() as Float32Array);
}

/**
 * Writes the state into `dir`: the tensors into a new `state-<epoch>-<step>.bin`, then state.json naming it
 * (the commit point: both are written to a temporary file and renamed), then removes older .bin files. A
 * process killed at any moment leaves the previous complete checkpoint.
 */
export async function writeCheckpoint(dir: string, state: TrainState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { weights, best, optimizer, ...rest } = state;
  const tensors = [
    ...named('weights', weights),
    ...named('best', best?.weights ?? []),
    ...optimizer.slots.flatMap((slot, s) => named(`slot${s}`, slot)),
  ];
  const { data, specs } = await tf.io.encodeWeights(tensors);
  tf.dispose(tensors.map((t) => t.tensor));
  const binFile = `state-${state.epoch}-${state.partial.step}.bin`;
  await writeFileAtomic(join(dir, binFile), new Uint8Array(data));
  const json = {
    ...rest,
    best: best && { epoch: best.epoch, valAccuracy: best.valAccuracy },
    optimizer: { step: optimizer.step, slots: optimizer.slots.length },
    variables: weights.length,
    binFile,
    specs,
  };
  await writeFileAtomic(join(dir, STATE_FILE), JSON.stringify(json));
  for (const f of await readdir(dir))
    if (f.endsWith('.bin') && f !== binFile) await rm(join(dir, f), { force: true });
}

/** The state saved in `dir`, or null when there is no checkpoint. */
export async function readCheckpoint(dir: string): Promise<TrainState | null> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const json = JSON.parse(text) as Omit<TrainState, 'weights' | 'best' | 'optimizer'> & {
    best: { epoch: number; valAccuracy: number } | null;
    optimizer: { step: number; slots: number };
    variables: number;
    binFile: string;
    specs: tf.io.WeightsManifestEntry[];
  };
  const bin = await readFile(join(dir, json.binFile));
  const map = tf.io.decodeWeights(
    bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
    json.specs,
  );
  const n = json.variables;
  const state: TrainState = {
    epoch: json.epoch,
    partial: json.partial,
    history: json.history,
    best: json.best && { ...json.best, weights: unnamed(map, 'best', n) },
    sinceBest: json.sinceBest,
    weights: unnamed(map, 'weights', n),
    optimizer: {
      step: json.optimizer.step,
      slots: Array.from({ length: json.optimizer.slots }, (_, s) => unnamed(map, `slot${s}`, n)),
    },
    seconds: json.seconds,
    fingerprint: json.fingerprint,
  };
  tf.dispose(Object.values(map));
  return state;
}

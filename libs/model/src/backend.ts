import * as tf from '@tensorflow/tfjs';
import type { WasmKernelChoice } from './kernels/index.js';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** Which backend runs and why (the reasons the preferred ones were passed over). */
export interface BackendChoice {
  backend: string;
  reason: string;
  /** On wasm: which convolution kernels run (oneDNN's through the native addon, or the emitted ones), and why. */
  kernels?: WasmKernelChoice;
}

/** The label with the reasons, for logs: `wasm+onednn (first choice; oneDNN 2.6.3, avx512_core)`. */
export function describeBackend(choice: BackendChoice): string {
  return `${backendLabel(choice)} (${[choice.reason, choice.kernels?.reason].filter(Boolean).join('; ')})`;
}

/** The backend with its kernel set, as logs, metrics.json and the bench print it: `wasm+onednn`, `wasm+emitted`, `cpu`. */
export function backendLabel(choice: BackendChoice): string {
  return choice.kernels === undefined ? choice.backend : `${choice.backend}+${choice.kernels.set}`;
}

/** An explicitly requested backend that cannot start. */
export class BackendUnavailableError extends Error {
  constructor(backend: string, cause: unknown) {
    super(`backend '${backend}' cannot start: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'BackendUnavailableError';
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

/** Native TensorFlow; an optional dependency that cannot be installed on every machine. */
async function startTensorflow(): Promise<void> {
  const name = '@tensorflow/tfjs-node';
  await import(/* @vite-ignore */ name);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('tf.setBackend("tensorflow") returned false');
}

async function startWasm(): Promise<WasmKernelChoice> {
  await import('@tensorflow/tfjs-backend-wasm');
  const { registerWasmKernels } = await import('./kernels/index.js');
  const kernels = registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  return kernels;
}

async function startCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
}

/** Each starter returns the wasm kernel choice where there is one. */
const STARTERS: Record<Exclude<BackendPreference, 'auto'>, () => Promise<WasmKernelChoice | void>> = {
  tensorflow: startTensorflow,
  wasm: startWasm,
  cpu: startCpu,
};

/**
 * Starts a tfjs backend. 'auto' tries native TensorFlow (`@tensorflow/tfjs-node`), then wasm with the
 * project's training kernels, then the pure-JS cpu backend, and says why it passed over each one; an
 * explicit choice that cannot start throws {@link BackendUnavailableError}.
 * @param pref @defaultValue `process.env.CAM_BACKEND ?? 'auto'`
 */
export async function initBackend(pref: string = process.env.CAM_BACKEND ?? 'auto'): Promise<BackendChoice> {
  if (!(BACKEND_PREFERENCES as readonly string[]).includes(pref)) {
    throw new RangeError(
      `backend: must be one of ${BACKEND_PREFERENCES.join(', ')}, got '${pref}' (CAM_BACKEND or --backend)`,
    );
  }
  if (pref !== 'auto') {
    let kernels: WasmKernelChoice | void;
    try {
      kernels = await STARTERS[pref as Exclude<BackendPreference, 'auto'>]();
    } catch (err) {
      throw new BackendUnavailableError(pref, err);
    }
    return { backend: tf.getBackend(), reason: 'requested explicitly', ...(kernels ? { kernels } : {}) };
  }
  const skipped: string[] = [];
  for (const [name, start] of Object.entries(STARTERS)) {
    try {
      const kernels = await start();
      const reason = skipped.length === 0 ? 'first choice' : skipped.join('; ');
      return { backend: tf.getBackend(), reason, ...(kernels ? { kernels } : {}) };
    } catch (err) {
      skipped.push(`${name} unavailable (${message(err)})`);
    }
  }
  throw new Error(`no tfjs backend could start: ${skipped.join('; ')}`);
}

import * as tf from '@tensorflow/tfjs';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** Which backend runs and why (the reasons the preferred ones were passed over). */
export interface BackendChoice {
  backend: string;
  reason: string;
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

async function startWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  const { registerWasmKernels } = await import('./kernels/index.js');
  registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
}

async function startCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
}

const STARTERS: Record<Exclude<BackendPreference, 'auto'>, () => Promise<void>> = {
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
    try {
      await STARTERS[pref as Exclude<BackendPreference, 'auto'>]();
    } catch (err) {
      throw new BackendUnavailableError(pref, err);
    }
    return { backend: tf.getBackend(), reason: 'requested explicitly' };
  }
  const skipped: string[] = [];
  for (const [name, start] of Object.entries(STARTERS)) {
    try {
      await start();
      const reason = skipped.length === 0 ? 'first choice' : skipped.join('; ');
      return { backend: tf.getBackend(), reason };
    } catch (err) {
      skipped.push(`${name} unavailable (${message(err)})`);
    }
  }
  throw new Error(`no tfjs backend could start: ${skipped.join('; ')}`);
}

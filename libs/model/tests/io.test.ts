import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TrainState, checkpointDir, readCheckpoint, writeCheckpoint } from '../src/checkpoint.js';
import {
  BackendUnavailableError,
  ModelLoadError,
  buildModel,
  initBackend,
  loadModel,
  loadModelFrom,
  saveModel,
} from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'cam-model-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tiny = {
  name: 'tiny',
  inputShape: [8, 8, 1] as [number, number, number],
  convs: [{ filters: 3, kernelSize: 3 }],
  classes: 4,
};

describe('backend selection', () => {
  it('auto picks wasm here (tfjs-node is not installed) and says why', async () => {
    let nodeInstalled = true;
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    } catch {
      nodeInstalled = false;
    }
    const choice = await initBackend('auto');
    if (nodeInstalled) {
      expect(choice.backend).toBe('tensorflow');
    } else {
      expect(choice).toMatchObject({
        backend: 'wasm',
        reason: expect.stringMatching(/^tensorflow unavailable \(/),
      });
      await expect(initBackend('tensorflow')).rejects.toThrow(BackendUnavailableError);
      await expect(initBackend('tensorflow')).rejects.toThrow(/backend 'tensorflow' cannot start/);
    }
  });

  it('takes an explicit choice and rejects an unknown name', async () => {
    expect(await initBackend('cpu')).toEqual({ backend: 'cpu', reason: 'requested explicitly' });
    await expect(initBackend('gpu')).rejects.toThrow(
      /backend: must be one of auto, tensorflow, wasm, cpu, got 'gpu'/,
    );
  });
});

describe('model files', () => {
  beforeAll(() => initBackend('cpu'));

  it('saves model.json + weights.bin with plain fs and loads the same model back', async () => {
    const dir = join(root, 'saved');
    const model = buildModel(tiny, { seed: 3 });
    await saveModel(model, dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(manifest.weightsManifest[0].paths).toEqual(['./weights.bin']);
    const loaded = await loadModel(dir);
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 5);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
  });

  it('loads a model from bytes read elsewhere (an object store) exactly as from its folder', async () => {
    const dir = join(root, 'bytes');
    const model = buildModel(tiny, { seed: 4 });
    await saveModel(model, dir);
    const files = new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
    const asked: string[] = [];
    const loaded = await loadModelFrom(async (name) => {
      asked.push(name);
      const data = files.get(name);
      if (!data) throw new Error(`no ${name}`);
      return new Uint8Array(data);
    }, 's3://bucket/runs/r');
    expect(asked).toEqual(['model.json', 'weights.bin']);
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 6);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
    await expect(
      loadModelFrom(
        async (name) => new Uint8Array(name === 'model.json' ? files.get('model.json')! : [1, 2]),
        'mem',
      ),
    ).rejects.toThrow(/^mem\/weights\.bin: holds 2 bytes/);
  });

  it('names the file and the problem when a model folder is missing or damaged', async () => {
    await expect(loadModel(join(root, 'nowhere'))).rejects.toThrow(/nowhere\/model\.json: not found/);
    const dir = join(root, 'damaged');
    await saveModel(buildModel(tiny, { seed: 3 }), dir);
    truncateSync(join(dir, 'weights.bin'), 10);
    await expect(loadModel(dir)).rejects.toThrow(/weights\.bin: holds 10 bytes, model\.json describes \d+/);
    writeFileSync(join(dir, 'model.json'), '{ nope');
    await expect(loadModel(dir)).rejects.toThrow(ModelLoadError);
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: not valid JSON/);
  });

  it('round-trips a checkpoint exactly and ignores a temporary file left by a killed write', async () => {
    const dir = checkpointDir(join(root, 'run'));
    const state: TrainState = {
      epoch: 2,
      partial: { step: 3, lossSum: 1.5, correct: 7, seen: 12 },
      history: [
        { epoch: 1, loss: 2, accuracy: 0.5, valLoss: 2.1, valAccuracy: 0.4, learningRate: 0.01, seconds: 1 },
      ],
      best: { epoch: 1, valAccuracy: 0.4, weights: [new Float32Array([1, 2]), new Float32Array([Math.PI])] },
      sinceBest: 1,
      weights: [new Float32Array([0.1, -0.2]), new Float32Array([1e-30])],
      optimizer: {
        step: 9,
        slots: [
          [new Float32Array([3, 4]), new Float32Array([5])],
          [new Float32Array([6, 7]), new Float32Array([8])],
        ],
      },
      seconds: 12.5,
      fingerprint: { seed: 1 },
    };
    await writeCheckpoint(dir, state);
    await writeCheckpoint(dir, { ...state, partial: { ...state.partial, step: 4 } });
    expect(readdirSync(dir).sort()).toEqual(['state-2-4.bin', 'state.json']);
    writeFileSync(join(dir, 'state.json.999.tmp'), '{ half');
    expect(await readCheckpoint(dir)).toEqual({ ...state, partial: { ...state.partial, step: 4 } });
    expect(await readCheckpoint(join(root, 'no-checkpoint'))).toBeNull();
  });
});

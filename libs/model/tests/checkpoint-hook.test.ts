import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TrainOptions, initBackend, train } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'cam-model-hook-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base: TrainOptions = {
  arch: { name: 'tiny', inputShape: [28, 28, 1], convs: [{ filters: 2, kernelSize: 3 }], classes: 10 },
  trainSize: 60,
  testSize: 20,
  epochs: 2,
  batchSize: 20,
  seed: 3,
  outDir: '',
};

describe('train({ onCheckpoint })', () => {
  beforeAll(() => initBackend('cpu'));

  it('hands over each complete checkpoint (state.json and the tensor file it names) and waits for the hook', async () => {
    const outDir = join(root, 'each');
    const seen: { epoch: number; files: string[] }[] = [];
    let hookDone = 0;
    const result = await train({
      ...base,
      outDir,
      onProgress: (p) => {
        // A step of epoch 2 runs only after epoch 1's hook has finished.
        if (p.epoch === 2) expect(hookDone).toBe(1);
      },
      onCheckpoint: async (dir) => {
        const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
          epoch: number;
          binFile: string;
        };
        expect(existsSync(join(dir, state.binFile))).toBe(true);
        seen.push({ epoch: state.epoch, files: readdirSync(dir).sort() });
        await new Promise((resolve) => setTimeout(resolve, 20));
        hookDone++;
      },
    });
    expect(result.status).toBe('completed');
    expect(seen).toEqual([
      { epoch: 1, files: ['state-1-0.bin', 'state.json'] },
      { epoch: 2, files: ['state-2-0.bin', 'state.json'] },
    ]);
  });

  it('fails the run when the hook fails (a checkpoint that could not be kept)', async () => {
    await expect(
      train({
        ...base,
        outDir: join(root, 'failing'),
        onCheckpoint: async () => {
          throw new Error('store unavailable');
        },
      }),
    ).rejects.toThrow('store unavailable');
  });
});

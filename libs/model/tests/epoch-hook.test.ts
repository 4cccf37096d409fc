import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EpochRecord, initBackend, train } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'cam-model-hook-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('train({ onEpochEnd })', () => {
  beforeAll(() => initBackend());

  it("is asked after every epoch's validation; 'stop' ends the run there with its artifacts", async () => {
    const outDir = join(root, 'stopped');
    const seen: EpochRecord[] = [];
    const result = await train({
      arch: { name: 'tiny', inputShape: [28, 28, 1], convs: [{ filters: 4, kernelSize: 3 }], classes: 10 },
      trainSize: 300,
      testSize: 100,
      epochs: 4,
      batchSize: 50,
      learningRate: 0.01,
      outDir,
      onEpochEnd: async (record) => {
        seen.push(record);
        // The checkpoint of this epoch is written after the hook answers (a crash here redoes the epoch).
        const checkpointed = existsSync(join(outDir, 'checkpoint'))
          ? JSON.parse(readFileSync(join(outDir, 'checkpoint', 'state.json'), 'utf8')).epoch
          : 0;
        expect(checkpointed).toBe(record.epoch - 1);
        return record.epoch === 2 ? 'stop' : 'continue';
      },
    });
    expect(seen.map((r) => r.epoch)).toEqual([1, 2]);
    expect(seen.every((r) => r.valAccuracy !== undefined)).toBe(true);
    expect(result).toMatchObject({ status: 'completed', epochsRun: 2 });
    expect(result.metrics).toMatchObject({ epochs: 4, epochsRun: 2, stoppedEarly: true, keptEpoch: 2 });
    expect(result.metrics!.history).toEqual(seen);
    for (const file of ['model.json', 'weights.bin', 'metrics.json'])
      expect(existsSync(join(outDir, file))).toBe(true);
    expect(existsSync(join(outDir, 'checkpoint'))).toBe(false);
  });
});

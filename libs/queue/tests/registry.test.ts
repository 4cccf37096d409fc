import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  JobRegistry,
  SweepRequestSchema,
  expandGrid,
  newId,
  redisConnection,
  type RunRecord,
} from '../src/index.js';

const redis = redisConnection();
const registry = new JobRegistry(redis, { prefix: `test-queue-${randomBytes(4).toString('hex')}` });

afterAll(async () => {
  await registry.clear();
  await redis.quit();
});

async function storeSweep(name: string, createdAt: string) {
  const request = SweepRequestSchema.parse({ name, grid: { seed: [1, 2] } });
  const sweepId = newId('sweep');
  const runs: RunRecord[] = expandGrid(request).map((params) => ({
    id: newId('run'),
    sweepId,
    createdAt,
    params,
  }));
  await registry.createSweep({ id: sweepId, name, createdAt, request, runIds: runs.map((r) => r.id) }, runs);
  return { sweepId, runs };
}

describe('JobRegistry (real Redis)', () => {
  it('stores sweeps and runs and lists sweeps newest first', async () => {
    const older = await storeSweep('older', '2026-01-01T00:00:00.000Z');
    const newer = await storeSweep('newer', '2026-01-02T00:00:00.000Z');
    const sweep = await registry.getSweep(older.sweepId);
    expect(sweep?.runIds).toEqual(older.runs.map((r) => r.id));
    expect((await registry.listSweeps()).map((s) => s.name)).toEqual(['newer', 'older']);
    expect(await registry.countSweeps()).toBe(2);
    const run = await registry.getRun(newer.runs[1]?.id ?? '');
    expect(run).toMatchObject({ sweepId: newer.sweepId, progress: null, cancelled: false });
    expect(run?.params.seed).toBe(2);
    expect(await registry.getSweep(newId('sweep'))).toBeNull();
    expect(await registry.getRun(newId('run'))).toBeNull();
    const unknown = newId('run');
    const many = await registry.getRuns([newer.runs[1]!.id, unknown, older.runs[0]!.id]);
    expect(many.map((r) => r?.id ?? null)).toEqual([newer.runs[1]!.id, null, older.runs[0]!.id]);
    expect(many[2]?.params.seed).toBe(1);
  });

  it('keeps the latest progress and the cancelled flag', async () => {
    const { runs } = await storeSweep('p', new Date().toISOString());
    const runId = runs[0]?.id ?? '';
    const progress = {
      epoch: 1,
      epochs: 2,
      step: 5,
      steps: 10,
      loss: 0.5,
      accuracy: 0.8,
      imagesPerSecond: 90,
      etaSeconds: 3,
    };
    await registry.setProgress(runId, progress);
    await registry.setProgress(runId, { ...progress, step: 6 });
    expect((await registry.getRun(runId))?.progress?.step).toBe(6);
    await expect(registry.setProgress(runId, { ...progress, loss: 'high' } as never)).rejects.toThrow();
    expect(await registry.isCancelled(runId)).toBe(false);
    await registry.cancelRun(runId);
    expect(await registry.isCancelled(runId)).toBe(true);
    expect((await registry.getRun(runId))?.cancelled).toBe(true);
  });

  it('aborts a watch signal once the run is cancelled', async () => {
    const { runs } = await storeSweep('w', new Date().toISOString());
    const runId = runs[0]?.id ?? '';
    const watch = registry.watchCancellation(runId, 20);
    await new Promise((r) => setTimeout(r, 80));
    expect(watch.signal.aborted).toBe(false);
    await registry.cancelRun(runId);
    await new Promise((r) => setTimeout(r, 120));
    expect(watch.signal.aborted).toBe(true);
    watch.stop();
  });

  it('stores CAM batches', async () => {
    const id = newId('camBatch');
    const runId = newId('run');
    const request = {
      runId,
      split: 'test' as const,
      indices: [1],
      method: 'cam' as const,
      target: 'predicted' as const,
      colormap: 'jet' as const,
      size: 112,
      alpha: 0.5,
    };
    await registry.createCamBatch({ id, runId, createdAt: new Date().toISOString(), request });
    expect((await registry.getCamBatch(id))?.request.indices).toEqual([1]);
    expect(await registry.getCamBatch(newId('camBatch'))).toBeNull();
  });

  it('clear removes only its own keys', async () => {
    const other = new JobRegistry(redis, { prefix: `test-queue-other-${randomBytes(4).toString('hex')}` });
    const { sweepId } = await storeSweep('keep', new Date().toISOString());
    await other.clear();
    expect(await registry.getSweep(sweepId)).not.toBeNull();
  });
});

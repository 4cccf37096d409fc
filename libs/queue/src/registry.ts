import type { Redis } from 'ioredis';
import { z } from 'zod';
import { SERVICE_ENV_DEFAULTS } from './service-env.js';
import { RungStore } from './rungs.js';
import {
  StoredCamBatchRequestSchema,
  EpochRecordSchema,
  type EpochRecord,
  RunParamsSchema,
  SweepRequestFieldsSchema,
  TrainProgressSchema,
  type TrainProgress,
  CamEvaluationRequestSchema,
} from '@cam/contracts';

export const SweepRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  request: SweepRequestFieldsSchema,
  runIds: z.array(z.string()),
});
export type SweepRecord = z.infer<typeof SweepRecordSchema>;

export const RunRecordSchema = z.object({
  id: z.string(),
  sweepId: z.string(),
  createdAt: z.string(),
  params: RunParamsSchema,
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export const CamBatchRecordSchema = z.object({
  id: z.string(),
  runId: z.string(),
  createdAt: z.string(),
  /** The request without its uploaded images (they are in the artifact store, see camBatchUploadKey). */
  request: StoredCamBatchRequestSchema,
  /** How many PNGs were uploaded; absent for dataset samples. */
  uploads: z.int().optional(),
});
export type CamBatchRecord = z.infer<typeof CamBatchRecordSchema>;

export const CamEvaluationRecordSchema = z.object({
  id: z.string(),
  runId: z.string(),
  createdAt: z.string(),
  request: CamEvaluationRequestSchema,
});
export type CamEvaluationRecord = z.infer<typeof CamEvaluationRecordSchema>;

/** A run's hash (record, progress, cancelled, stoppedAtEpoch) and its history hash, parsed. */
function runStatus(fields: Record<string, string>, history: Record<string, string>): RunStatus {
  const record = RunRecordSchema.parse(JSON.parse(fields['record']!));
  const progress =
    fields['progress'] === undefined ? null : TrainProgressSchema.parse(JSON.parse(fields['progress']));
  const stopped = fields['stoppedAtEpoch'];
  return {
    ...record,
    progress,
    cancelled: fields['cancelled'] === '1',
    stoppedAtEpoch: stopped === undefined ? null : Number(stopped),
    history: parseHistory(history),
  };
}

/** A run's history hash (epoch -> EpochRecord JSON), in epoch order. */
function parseHistory(fields: Record<string, string>): EpochRecord[] {
  return Object.values(fields)
    .map((text) => EpochRecordSchema.parse(JSON.parse(text)))
    .sort((a, b) => a.epoch - b.epoch);
}

/** A run as stored: its record, the latest progress a trainer reported, whether it was cancelled or stopped. */
export interface RunStatus extends RunRecord {
  progress: TrainProgress | null;
  cancelled: boolean;
  /** The epoch at which the sweep's scheduler stopped the run; null when it did not. */
  stoppedAtEpoch: number | null;
  /** Every finished epoch, in order. */
  history: EpochRecord[];
}

export interface JobRegistryOptions {
  /**
   * Prefix of every key the registry writes (tests use a unique one each).
   * @defaultValue 'cam'
   */
  prefix?: string;
}

export interface CancellationWatch {
  /** Aborts once the run is cancelled. */
  signal: AbortSignal;
  /** Stops polling (call when the job ends). */
  stop(): void;
}

/**
 * Sweeps, runs and CAM batches as stored in Redis, shared by the API and the workers.
 * Keys: <prefix>:sweeps (sorted set of sweep ids by creation time), <prefix>:sweep:<id> (JSON),
 * <prefix>:run:<id> (hash: record, progress, cancelled, stoppedAtEpoch), <prefix>:run:<id>:history (hash: epoch
 * -> EpochRecord JSON), <prefix>:cam-batch:<id> (JSON); RungStore keeps <prefix>:sweep:<id>:rung:<epoch>.
 */
export class JobRegistry {
  readonly prefix: string;
  /** The sweeps' scheduler rungs, under the same prefix. */
  readonly rungs: RungStore;

  constructor(
    private readonly redis: Redis,
    options: JobRegistryOptions = {},
  ) {
    this.prefix = options.prefix ?? SERVICE_ENV_DEFAULTS.registryPrefix;
    this.rungs = new RungStore(redis, this.prefix);
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  /** Stores a sweep and its runs atomically. */
  async createSweep(sweep: SweepRecord, runs: RunRecord[]): Promise<void> {
    const tx = this.redis.multi();
    tx.set(this.key('sweep', sweep.id), JSON.stringify(sweep));
    tx.zadd(this.key('sweeps'), Date.parse(sweep.createdAt), sweep.id);
    for (const run of runs) tx.hset(this.key('run', run.id), 'record', JSON.stringify(run));
    await tx.exec();
  }

  async getSweep(id: string): Promise<SweepRecord | null> {
    const text = await this.redis.get(this.key('sweep', id));
    return text === null ? null : SweepRecordSchema.parse(JSON.parse(text));
  }

  /** Sweeps, newest first. */
  async listSweeps(options: { offset?: number; limit?: number } = {}): Promise<SweepRecord[]> {
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 100;
    const ids = await this.redis.zrevrange(this.key('sweeps'), offset, offset + limit - 1);
    const sweeps = await Promise.all(ids.map((id) => this.getSweep(id)));
    return sweeps.filter((s): s is SweepRecord => s !== null);
  }

  async countSweeps(): Promise<number> {
    return this.redis.zcard(this.key('sweeps'));
  }

  async getRun(id: string): Promise<RunStatus | null> {
    return (await this.getRuns([id]))[0]!;
  }

  /** Runs by id (null where unknown), read in one pipeline: a sweep's view costs one round trip, not two a run. */
  async getRuns(ids: readonly string[]): Promise<(RunStatus | null)[]> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.key('run', id)).hgetall(this.key('run', id, 'history'));
    const replies = (await pipeline.exec()) ?? [];
    return ids.map((_, i) => {
      const [fields, history] = [2 * i, 2 * i + 1].map((at) => {
        const [error, value] = replies[at]!;
        if (error) throw error;
        return value as Record<string, string>;
      }) as [Record<string, string>, Record<string, string>];
      return fields['record'] === undefined ? null : runStatus(fields, history);
    });
  }

  /** Records a finished epoch (a resumed run that redoes an epoch overwrites it). */
  async addEpoch(runId: string, record: EpochRecord): Promise<void> {
    const parsed = EpochRecordSchema.parse(record);
    await this.redis.hset(this.key('run', runId, 'history'), String(parsed.epoch), JSON.stringify(parsed));
  }

  async getHistory(runId: string): Promise<EpochRecord[]> {
    return parseHistory(await this.redis.hgetall(this.key('run', runId, 'history')));
  }

  /** Marks the run stopped by the sweep's scheduler at `epoch`. */
  async markStopped(runId: string, epoch: number): Promise<void> {
    await this.redis.hset(this.key('run', runId), 'stoppedAtEpoch', String(epoch));
  }

  /** Clears the run's cancelled flag so that it can be queued again (retry). */
  async clearCancelled(runId: string): Promise<void> {
    await this.redis.hdel(this.key('run', runId), 'cancelled');
  }

  /** Called by a trainer on each progress report (latest wins). */
  async setProgress(runId: string, progress: TrainProgress): Promise<void> {
    await this.redis.hset(
      this.key('run', runId),
      'progress',
      JSON.stringify(TrainProgressSchema.parse(progress)),
    );
  }

  /** Marks a run cancelled; a trainer polling {@link isCancelled} stops it. */
  async cancelRun(runId: string): Promise<void> {
    await this.redis.hset(this.key('run', runId), 'cancelled', '1');
  }

  async isCancelled(runId: string): Promise<boolean> {
    return (await this.redis.hget(this.key('run', runId), 'cancelled')) === '1';
  }

  /**
   * Polls the run's cancelled flag and aborts the returned signal once it is set, for a trainer to pass to
   * `train({ signal })`. Errors while polling (Redis briefly down) are ignored; the next poll retries.
   * @param intervalMs - @defaultValue 1000
   */
  watchCancellation(runId: string, intervalMs = 1000): CancellationWatch {
    const controller = new AbortController();
    const timer = setInterval(() => {
      this.isCancelled(runId).then(
        (cancelled) => {
          if (cancelled && !controller.signal.aborted) {
            controller.abort(new Error(`run ${runId} was cancelled`));
            clearInterval(timer);
          }
        },
        () => undefined,
      );
    }, intervalMs);
    timer.unref();
    return { signal: controller.signal, stop: () => clearInterval(timer) };
  }

  async createCamBatch(batch: CamBatchRecord): Promise<void> {
    await this.redis.set(this.key('cam-batch', batch.id), JSON.stringify(batch));
  }

  async getCamBatch(id: string): Promise<CamBatchRecord | null> {
    const text = await this.redis.get(this.key('cam-batch', id));
    return text === null ? null : CamBatchRecordSchema.parse(JSON.parse(text));
  }

  async createCamEvaluation(evaluation: CamEvaluationRecord): Promise<void> {
    await this.redis.set(this.key('cam-evaluation', evaluation.id), JSON.stringify(evaluation));
  }

  async getCamEvaluation(id: string): Promise<CamEvaluationRecord | null> {
    const text = await this.redis.get(this.key('cam-evaluation', id));
    return text === null ? null : CamEvaluationRecordSchema.parse(JSON.parse(text));
  }

  /** Deletes every key under the prefix (tests clean up with it). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}

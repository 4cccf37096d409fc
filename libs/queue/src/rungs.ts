import { ashaCutoff, ashaDecide, type AshaRule } from '@cam/recipe';
import { RungEntrySchema, type RungEntry } from '@cam/contracts';
import type { Redis } from 'ioredis';

/** One run's recorded arrival at a rung: its value, the cutoff it met, the decision, and its arrival order. */

/** A rung as the API shows it: every decision in arrival order, and the cutoff a run arriving now would meet. */
export interface RungTable {
  epoch: number;
  entries: RungEntry[];
  cutoff: number | null;
}

/**
 * Records the decision only if nobody recorded one for this run, and only if the rung still holds the number of
 * entries the caller computed it from (else the caller reads again and retries). Returns the entry stored for
 * the run: the new one, or the earlier one of a run that crossed the rung before (a resumed run).
 * KEYS[1] rung hash (runId -> entry JSON); ARGV: runId, entry count seen, entry JSON.
 */
const RECORD_ONCE = `
local earlier = redis.call('HGET', KEYS[1], ARGV[1])
if earlier then return earlier end
if redis.call('HLEN', KEYS[1]) ~= tonumber(ARGV[2]) then return false end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return ARGV[3]
`;

const toNumber = (v: number | null) => (v === null ? Number.NaN : v);
const toJson = (v: number) => (Number.isNaN(v) ? null : v);

/**
 * ASHA's rungs of every sweep in Redis (<prefix>:sweep:<sweepId>:rung:<epoch>, a hash of runId -> entry), so
 * that trainers on any host agree without a central process: each decision is one Lua script, atomic, and a
 * run's decision at a rung is recorded once. The rule itself is @cam/recipe's `ashaDecide`.
 */
export class RungStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(sweepId: string, epoch: number): string {
    return `${this.prefix}:sweep:${sweepId}:rung:${epoch}`;
  }

  async entries(sweepId: string, epoch: number): Promise<RungEntry[]> {
    const fields = await this.redis.hgetall(this.key(sweepId, epoch));
    return Object.values(fields)
      .map((text) => RungEntrySchema.parse(JSON.parse(text)))
      .sort((a, b) => a.order - b.order);
  }

  /** The decision for `runId` arriving at the rung with `value` (the same one again if it arrived before). */
  async decide(
    sweepId: string,
    epoch: number,
    runId: string,
    value: number,
    rule: AshaRule,
  ): Promise<RungEntry> {
    for (;;) {
      const entries = await this.entries(sweepId, epoch);
      const earlier = entries.find((e) => e.runId === runId);
      if (earlier) return earlier;
      const { action, cutoff } = ashaDecide(
        rule,
        entries.map((e) => toNumber(e.value)),
        value,
      );
      const entry: RungEntry = { runId, value: toJson(value), cutoff, action, order: entries.length };
      const stored = (await this.redis.eval(
        RECORD_ONCE,
        1,
        this.key(sweepId, epoch),
        runId,
        entries.length,
        JSON.stringify(entry),
      )) as string | null;
      if (stored !== null) return RungEntrySchema.parse(JSON.parse(stored));
      // Another run was recorded meanwhile: decide again against the values as they are now.
    }
  }

  /** The rungs at `epochs`, each with its decisions and current cutoff. */
  async table(sweepId: string, epochs: number[], rule: AshaRule): Promise<RungTable[]> {
    return Promise.all(
      epochs.map(async (epoch) => {
        const entries = await this.entries(sweepId, epoch);
        return {
          epoch,
          entries,
          cutoff: ashaCutoff(
            rule,
            entries.map((e) => toNumber(e.value)),
          ),
        };
      }),
    );
  }
}

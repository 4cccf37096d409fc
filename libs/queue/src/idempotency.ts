import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The first answer to a request, kept so that a retry with the same Idempotency-Key gets it again. */
export interface StoredAnswer {
  status: number;
  body: unknown;
  /** The Location header, when the answer had one. */
  location: string | null;
}

/** What a request finds when it claims its key. */
export type IdempotencyClaim =
  /** The key is new: this request does the work, then calls complete() or release(). */
  | { kind: 'claimed' }
  /** A request with the same key and body has answered: send its answer again. */
  | { kind: 'answered'; answer: StoredAnswer }
  /** A request with the same key and body is still being worked on. */
  | { kind: 'in_progress' }
  /** The key was used for another request (method, route or body differ). */
  | { kind: 'mismatch' };

interface Entry {
  fingerprint: string;
  answer?: StoredAnswer;
}

export interface IdempotencyStoreOptions {
  /** Key prefix. */
  prefix: string;
  /** How long a key and its answer are kept. @defaultValue 86_400 (a day) */
  ttlSeconds?: number;
}

/**
 * Idempotency keys in Redis: a key is claimed atomically (SET NX), so of two concurrent requests with one key
 * exactly one does the work; its answer is then stored under the key for `ttlSeconds`.
 */
export class IdempotencyStore {
  private readonly prefix: string;
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: Redis,
    options: IdempotencyStoreOptions,
  ) {
    this.prefix = options.prefix;
    this.ttlSeconds = options.ttlSeconds ?? 86_400;
  }

  /** Whether the connection is up (commands issued while it is down wait for the reconnect). */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  /** A digest of what makes two requests the same request (the key alone does not). */
  static fingerprint(method: string, route: string, body: unknown): string {
    // A raw body (bytes a route parses elsewhere) is hashed as it came: a retry sends the same bytes.
    return createHash('sha256')
      .update(`${method} ${route}\n`)
      .update(body instanceof Uint8Array ? body : JSON.stringify(body))
      .digest('hex');
  }

  async claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const entry: Entry = { fingerprint };
    const set = await this.redis.set(this.redisKey(key), JSON.stringify(entry), 'EX', this.ttlSeconds, 'NX');
    if (set === 'OK') return { kind: 'claimed' };
    const text = await this.redis.get(this.redisKey(key));
    // Released (or expired) between the two commands: try again.
    if (text === null) return this.claim(key, fingerprint);
    const found = JSON.parse(text) as Entry;
    if (found.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return found.answer === undefined ? { kind: 'in_progress' } : { kind: 'answered', answer: found.answer };
  }

  /** Stores the claimed request's answer for its retries. */
  async complete(key: string, fingerprint: string, answer: StoredAnswer): Promise<void> {
    const entry: Entry = { fingerprint, answer };
    await this.redis.set(this.redisKey(key), JSON.stringify(entry), 'EX', this.ttlSeconds, 'XX');
  }

  /** Frees the key (the claimed request failed in a way a retry may not: a 5xx). */
  async release(key: string): Promise<void> {
    await this.redis.del(this.redisKey(key));
  }

  private redisKey(key: string): string {
    return `${this.prefix}:${createHash('sha256').update(key).digest('hex')}`;
  }
}

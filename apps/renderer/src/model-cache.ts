/** Something the cache can free when it evicts it (a tfjs LayersModel). */
export interface Disposable {
  dispose(): unknown;
}

/**
 * A small least-recently-used cache of loaded models: `get` loads on a miss (concurrent misses of one key share
 * the load) and disposes the least recently used model once more than `capacity` are held.
 */
export class ModelCache<M extends Disposable> {
  private readonly entries = new Map<string, Promise<M>>();

  constructor(
    private readonly load: (key: string) => Promise<M>,
    readonly capacity = 3,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a whole number >= 1, got ${capacity}`);
  }

  /** Keys from least to most recently used. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  async get(key: string): Promise<M> {
    let entry = this.entries.get(key);
    if (entry) {
      // Map keeps insertion order: re-inserting marks the key most recently used.
      this.entries.delete(key);
    } else {
      entry = this.load(key);
      // A failed load is not kept: the next get tries again.
      entry.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    }
    this.entries.set(key, entry);
    this.evict();
    return entry;
  }

  /** Disposes every held model. */
  async clear(): Promise<void> {
    const held = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      held.map((entry) =>
        entry.then(
          (model) => model.dispose(),
          () => undefined,
        ),
      ),
    );
  }

  private evict(): void {
    while (this.entries.size > this.capacity) {
      const [oldest, entry] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      entry.then(
        (model) => model.dispose(),
        () => undefined,
      );
    }
  }
}

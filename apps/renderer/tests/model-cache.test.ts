import { describe, expect, it } from 'vitest';
import { ModelCache } from '../src/model-cache.js';

/** A stand-in for a loaded model that records whether it was disposed. */
class Loaded {
  disposed = false;
  constructor(readonly key: string) {}
  dispose() {
    this.disposed = true;
  }
}

function cache(capacity: number) {
  const loads: string[] = [];
  const models = new ModelCache(async (key) => {
    loads.push(key);
    return new Loaded(key);
  }, capacity);
  return { models, loads };
}

describe('ModelCache', () => {
  it('loads once per key while it stays cached', async () => {
    const { models, loads } = cache(2);
    const a1 = await models.get('a');
    const a2 = await models.get('a');
    expect(a1).toBe(a2);
    expect(loads).toEqual(['a']);
  });

  it('evicts and disposes the least recently used model beyond capacity', async () => {
    const { models, loads } = cache(2);
    const a = await models.get('a');
    const b = await models.get('b');
    await models.get('a'); // a is now more recent than b
    await models.get('c');
    await Promise.resolve();
    expect(models.keys()).toEqual(['a', 'c']);
    expect(b.disposed).toBe(true);
    expect(a.disposed).toBe(false);
    await models.get('b');
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('shares one load between concurrent misses and forgets failed loads', async () => {
    let calls = 0;
    const models = new ModelCache(async (key) => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      if (key === 'bad' && calls < 3) throw new Error('no model.json');
      return new Loaded(key);
    }, 2);
    const [x, y] = await Promise.all([models.get('ok'), models.get('ok')]);
    expect(x).toBe(y);
    expect(calls).toBe(1);
    await expect(models.get('bad')).rejects.toThrow('no model.json');
    expect(models.keys()).toEqual(['ok']);
    await models.get('bad').catch(() => undefined);
    expect((await models.get('bad')).key).toBe('bad');
  });

  it('disposes everything on clear and rejects a capacity below 1', async () => {
    const { models } = cache(3);
    const held = await Promise.all(['a', 'b'].map((k) => models.get(k)));
    await models.clear();
    expect(held.every((m) => m.disposed)).toBe(true);
    expect(() => new ModelCache(async () => new Loaded('x'), 0)).toThrow(/capacity/);
  });
});

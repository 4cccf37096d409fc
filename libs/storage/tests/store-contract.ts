import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ArtifactNotFoundError, InvalidArtifactKeyError, type ArtifactStore } from '../src/index.js';

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** What every ArtifactStore must do, byte for byte; `scratch` is a local folder for putFile's sources. */
export function describeStoreContract(
  name: string,
  setup: () => Promise<{ store: ArtifactStore; scratch: string }>,
): void {
  describe(`${name}: the ArtifactStore contract`, () => {
    it('puts bytes, text and streams, and gets, streams, lists and deletes them', async () => {
      const { store } = await setup();
      const bin = randomBytes(1000);
      await store.put('runs/r-1/metrics.json', '{"a":1}');
      await store.put('runs/r-1/checkpoint/weights.bin', bin);
      await store.put('runs/r-2/model.json', new Uint8Array([123, 125]));
      await store.put('runs/r-2/sized.npy', Readable.from([bin.subarray(0, 10), bin.subarray(10)]), {
        size: bin.length,
      });
      await store.put('runs/r-2/unsized.png', Readable.from([bin.subarray(0, 7), bin.subarray(7)]));
      expect((await store.get('runs/r-1/metrics.json')).toString()).toBe('{"a":1}');
      expect((await store.get('runs/r-1/checkpoint/weights.bin')).equals(bin)).toBe(true);
      expect((await store.get('runs/r-2/sized.npy')).equals(bin)).toBe(true);
      expect((await store.get('runs/r-2/unsized.png')).equals(bin)).toBe(true);
      const streamed = await store.stream('runs/r-2/model.json');
      expect(streamed.size).toBe(2);
      expect(streamed.contentType).toBe('application/json');
      expect((await readAll(streamed.body)).toString()).toBe('{}');
      expect((await store.stream('runs/r-2/unsized.png')).contentType).toBe('image/png');
      expect(await store.list('runs/r-1')).toEqual([
        'runs/r-1/checkpoint/weights.bin',
        'runs/r-1/metrics.json',
      ]);
      expect(await store.list('runs/r-1/')).toHaveLength(2);
      expect(await store.list('runs/r')).toEqual([]);
      expect(await store.list('')).toHaveLength(5);
      expect(await store.list('runs/none')).toEqual([]);
      expect(await store.exists('runs/r-1/metrics.json')).toBe(true);
      expect(await store.exists('runs/r-1')).toBe(false);
      await store.delete('runs/r-1/metrics.json');
      await store.delete('runs/r-1/never-there.json');
      expect(await store.exists('runs/r-1/metrics.json')).toBe(false);
      expect(await store.list('runs/r-1')).toEqual(['runs/r-1/checkpoint/weights.bin']);
    });

    it('stores a multi-megabyte file and a replaced object exactly', async () => {
      const { store, scratch } = await setup();
      const big = randomBytes(6 * 1024 * 1024 + 123);
      const file = path.join(scratch, 'big.bin');
      await writeFile(file, big);
      await store.putFile('big/weights.bin', file);
      const streamed = await store.stream('big/weights.bin');
      expect(streamed.size).toBe(big.length);
      const back = await readAll(streamed.body);
      expect(back.length).toBe(big.length);
      expect(back.equals(big)).toBe(true);
      const smaller = randomBytes(3 * 1024 * 1024);
      await store.put('big/weights.bin', smaller);
      expect((await store.get('big/weights.bin')).equals(smaller)).toBe(true);
    });

    it('reports a missing object as ArtifactNotFoundError', async () => {
      const { store } = await setup();
      await expect(store.get('runs/r-9/model.json')).rejects.toBeInstanceOf(ArtifactNotFoundError);
      await expect(store.stream('runs/r-9/model.json')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    });

    it.each(['../secret', 'runs/../../etc/passwd', '/etc/passwd', 'a\\b', 'a\0b', '', 'a//b', './a', 'a/.'])(
      'rejects the key %j on every operation',
      async (key) => {
        const { store, scratch } = await setup();
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        await expect(store.put(key, 'x')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        await expect(store.putFile(key, path.join(scratch, 'none.bin'))).rejects.toBeInstanceOf(
          InvalidArtifactKeyError,
        );
        await expect(store.stream(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        await expect(store.exists(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
      },
    );

    it('rejects list prefixes that leave the root', async () => {
      const { store } = await setup();
      await expect(store.list('../')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
      await expect(store.list('/tmp')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
    });
  });
}

import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactNotFoundError,
  DirectoryArtifactStore,
  InvalidArtifactKeyError,
  validateArtifactKey,
} from '../src/index.js';

let dir: string;
let store: DirectoryArtifactStore;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cam-store-'));
  store = new DirectoryArtifactStore(path.join(dir, 'root'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString();
}

describe('DirectoryArtifactStore', () => {
  it('puts, gets, streams and lists files under nested keys', async () => {
    await store.put('runs/r-1/metrics.json', '{"a":1}');
    await store.put('runs/r-1/checkpoint/weights.bin', Buffer.from([1, 2, 3]));
    await store.put('runs/r-2/model.json', new Uint8Array([123, 125]));
    expect((await store.get('runs/r-1/metrics.json')).toString()).toBe('{"a":1}');
    expect(await readAll(await store.stream('runs/r-2/model.json'))).toBe('{}');
    expect(await store.list('runs/r-1')).toEqual([
      'runs/r-1/checkpoint/weights.bin',
      'runs/r-1/metrics.json',
    ]);
    expect(await store.list('runs/r-1/')).toHaveLength(2);
    expect(await store.list('')).toHaveLength(3);
    expect(await store.list('runs/none')).toEqual([]);
    expect(await store.exists('runs/r-1/metrics.json')).toBe(true);
    expect(await store.exists('runs/r-1')).toBe(false);
    expect(store.localPath('runs/r-1')).toBe(path.join(dir, 'root', 'runs', 'r-1'));
  });

  it('reports a missing file as ArtifactNotFoundError', async () => {
    await expect(store.get('runs/r-9/model.json')).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.stream('runs')).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });

  it.each([
    '../secret',
    'runs/../../etc/passwd',
    '/etc/passwd',
    'a\\b',
    'a\0b',
    '',
    'a//b',
    './a',
    'a/.',
    'x'.repeat(2000),
  ])('rejects the key %j', async (key) => {
    expect(() => validateArtifactKey(key)).toThrow(InvalidArtifactKeyError);
    await expect(store.get(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
    await expect(store.put(key, 'x')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
    await expect(store.exists(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
  });

  it('rejects list prefixes that leave the root', async () => {
    await expect(store.list('../')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
    await expect(store.list('/tmp')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
  });

  it('does not follow a symlink out of the root', async () => {
    await writeFile(path.join(dir, 'outside.txt'), 'secret');
    await store.put('runs/r-3/placeholder', 'x');
    await symlink(path.join(dir, 'outside.txt'), path.join(dir, 'root', 'runs', 'r-3', 'link.txt'));
    await expect(store.get('runs/r-3/link.txt')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryArtifactStore, InvalidArtifactKeyError, validateArtifactKey } from '../src/index.js';
import { describeStoreContract } from './store-contract.js';

let dir: string;
let store: DirectoryArtifactStore;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cam-store-'));
  store = new DirectoryArtifactStore(path.join(dir, 'root'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeStoreContract('DirectoryArtifactStore', async () => {
  const scratch = await mkdtemp(path.join(dir, 'contract-'));
  return { store: new DirectoryArtifactStore(path.join(scratch, 'root')), scratch };
});

describe('DirectoryArtifactStore', () => {
  it('maps keys to paths under its root', () => {
    expect(store.localPath('runs/r-1')).toBe(path.join(dir, 'root', 'runs', 'r-1'));
    expect(store.location).toBe(path.join(dir, 'root'));
  });

  it('never shows a half-written object: the old bytes until the new ones are complete', async () => {
    const old = randomBytes(1000);
    await store.put('atomic/weights.bin', old);
    const next = randomBytes(300_000);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = Readable.from(
      (async function* () {
        yield next.subarray(0, 100_000);
        await gate;
        yield next.subarray(100_000);
      })(),
    );
    const writing = store.put('atomic/weights.bin', slow);
    // Half the new bytes are on disk (in a temporary file): readers and list still see the old object alone.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await store.get('atomic/weights.bin')).equals(old)).toBe(true);
    expect(await store.list('atomic')).toEqual(['atomic/weights.bin']);
    release();
    await writing;
    expect((await store.get('atomic/weights.bin')).equals(next)).toBe(true);
    expect(await readdir(store.localPath('atomic'))).toEqual(['weights.bin']);
  });

  it('leaves no temporary file behind when a stream fails', async () => {
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from('partial');
        throw new Error('source broke');
      })(),
    );
    await expect(store.put('broken/x.bin', failing)).rejects.toThrow('source broke');
    expect(await readdir(store.localPath('broken'))).toEqual([]);
  });

  it('rejects over-long keys', () => {
    expect(() => validateArtifactKey('x'.repeat(2000))).toThrow(InvalidArtifactKeyError);
  });

  it('does not follow a symlink out of the root', async () => {
    await writeFile(path.join(dir, 'outside.txt'), 'secret');
    await store.put('runs/r-3/placeholder', 'x');
    await symlink(path.join(dir, 'outside.txt'), path.join(dir, 'root', 'runs', 'r-3', 'link.txt'));
    await expect(store.get('runs/r-3/link.txt')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactStoreConfigError,
  ArtifactStoreUnavailableError,
  DirectoryArtifactStore,
  NO_RETRY,
  type RetryNotice,
  S3ArtifactStore,
  artifactStoreFromUrl,
  createArtifactStore,
  downloadPrefix,
  uploadFolder,
} from '../src/index.js';
import { S3rverProcess } from '../testing/s3rver.js';
import { describeStoreContract } from './store-contract.js';

let server: S3rverProcess;
let scratch: string;
let stores = 0;

beforeAll(async () => {
  server = await S3rverProcess.start('cam-test');
  scratch = await mkdtemp(path.join(tmpdir(), 'cam-s3-test-'));
});
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** A store on its own prefix of the test bucket, made by the factory from the environment a worker would have. */
function freshStore(env: Record<string, string> = {}): S3ArtifactStore {
  const store = createArtifactStore({ ...server.env(`t${++stores}/p`), ...env });
  expect(store).toBeInstanceOf(S3ArtifactStore);
  return store as S3ArtifactStore;
}

describeStoreContract('S3ArtifactStore on s3rver', async () => ({ store: freshStore(), scratch }));

describe('S3ArtifactStore', () => {
  it('keeps its objects under its prefix and shares them with another store on the same bucket', async () => {
    const a = freshStore();
    const data = randomBytes(5000);
    await a.put('runs/x/weights.bin', data);
    const root = createArtifactStore({ ...server.env(''), ARTIFACTS_URL: `s3://${server.bucket}` });
    expect(await root.list('')).toContain(`t${stores}/p/runs/x/weights.bin`);
    expect((await root.get(`t${stores}/p/runs/x/weights.bin`)).equals(data)).toBe(true);
  });

  it('uploads a folder (commit points last) and downloads it back byte for byte', async () => {
    const store = freshStore();
    const source = new DirectoryArtifactStore(path.join(scratch, 'folder-src'));
    const files = {
      'model.json': randomBytes(300),
      'weights.bin': randomBytes(2_000_000),
      'sub/a.csv': randomBytes(10),
    };
    for (const [name, data] of Object.entries(files)) await source.put(name, data);
    const put = await uploadFolder(store, source.root, 'runs/r1', {
      last: ['model.json'],
      skip: (n) => n.startsWith('sub/'),
    });
    expect(put).toEqual(['weights.bin', 'model.json']);
    const target = path.join(scratch, 'folder-dst');
    expect(await downloadPrefix(store, 'runs/r1', target)).toEqual(['model.json', 'weights.bin']);
    const back = new DirectoryArtifactStore(target);
    expect((await back.get('weights.bin')).equals(files['weights.bin'])).toBe(true);
    expect((await back.get('model.json')).equals(files['model.json'])).toBe(true);
  });

  it('retries while the server is down and succeeds once it is back, losing nothing', async () => {
    const notices: RetryNotice[] = [];
    const env = server.env(`t${++stores}/p`);
    const store = artifactStoreFromUrl(env.ARTIFACTS_URL!, env, { onRetry: (n) => notices.push(n) });
    const before = randomBytes(100_000);
    await store.put('outage/before.bin', before);
    await server.stop();
    const during = randomBytes(200_000);
    const writing = store.put('outage/during.bin', during);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await server.resume();
    await writing;
    expect((await store.get('outage/before.bin')).equals(before)).toBe(true);
    expect((await store.get('outage/during.bin')).equals(during)).toBe(true);
    // Backed off: at least two retries were announced, each with a longer ceiling than the one before.
    expect(notices.length).toBeGreaterThanOrEqual(2);
    expect(notices.map((n) => n.what)).toEqual(notices.map(() => 'put outage/during.bin'));
    expect(notices.map((n) => n.tries)).toEqual(notices.map((_, i) => i + 1));
    expect(notices[0]!.reason).toMatch(/is unavailable/);
  });

  it('fails fast with ArtifactStoreUnavailableError when retries are off, naming no credentials', async () => {
    const env: Record<string, string> = server.env('fast');
    const store = artifactStoreFromUrl(env.ARTIFACTS_URL, env, { retry: NO_RETRY });
    await server.stop();
    try {
      const error = await store.get('runs/x/model.json').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ArtifactStoreUnavailableError);
      expect((error as Error).message).toContain(`s3://${server.bucket}/fast/`);
      expect((error as Error).message).toContain(server.endpoint);
    } finally {
      await server.resume();
    }
  });

  it('never puts credentials in its location or errors', async () => {
    const secret = `secret-${randomBytes(12).toString('hex')}`;
    const keyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const store = createArtifactStore({
      ...server.env('creds'),
      AWS_ACCESS_KEY_ID: keyId,
      AWS_SECRET_ACCESS_KEY: secret,
      S3_ENDPOINT: server.endpoint.replace('://', `://${keyId}:${secret}@`),
    });
    // s3rver refuses the unknown key (403): the error says so without echoing it.
    const error = (await store.put('x.json', '{}').then(
      () => null,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(Error);
    const text = `${store.location}\n${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
    expect(text).toMatch(/HTTP 403/);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(keyId);
  });
});

describe('artifactStoreFromUrl', () => {
  it('opens a directory from a path, a file:// URL or ARTIFACTS_DIR', () => {
    expect((artifactStoreFromUrl('/tmp/a') as DirectoryArtifactStore).root).toBe('/tmp/a');
    expect((artifactStoreFromUrl('file:///tmp/b') as DirectoryArtifactStore).root).toBe('/tmp/b');
    expect((createArtifactStore({ ARTIFACTS_DIR: '/tmp/c' }) as DirectoryArtifactStore).root).toBe('/tmp/c');
    expect(
      (createArtifactStore({ ARTIFACTS_URL: '/tmp/d', ARTIFACTS_DIR: '/tmp/c' }) as DirectoryArtifactStore)
        .root,
    ).toBe('/tmp/d');
    expect((createArtifactStore({}) as DirectoryArtifactStore).root).toBe(path.resolve('artifacts'));
  });

  it.each([
    ['s3://', /not an S3 bucket name/],
    ['s3://Bad_Bucket/x', /not an S3 bucket name/],
    ['s3://bucket/../x', /invalid artifact key/],
    ['gs://bucket/x', /unsupported scheme in 'gs:\/\/'/],
  ])('refuses %s', (url, message) => {
    expect(() => artifactStoreFromUrl(url, {})).toThrow(message);
  });

  it('refuses a bad S3_FORCE_PATH_STYLE', () => {
    expect(() => artifactStoreFromUrl('s3://bucket', { S3_FORCE_PATH_STYLE: 'yes' })).toThrow(
      ArtifactStoreConfigError,
    );
  });
});

// A real S3 server for tests: npm's s3rver (a devDependency) in a child process, so a test can stop it and
// start it again on the same port and folder (an outage), as a real object store would behave.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const S3RVER_BIN = join(
  createRequire(import.meta.url).resolve('s3rver/package.json'),
  '..',
  'bin',
  's3rver.js',
);

/** s3rver's fixed credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class S3rverProcess {
  readonly directory = mkdtempSync(join(tmpdir(), 'cam-s3rver-'));
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly bucket: string,
  ) {}

  /** Starts s3rver on a free port with `bucket` created. */
  static async start(bucket = 'artifacts'): Promise<S3rverProcess> {
    const server = new S3rverProcess(await freePort(), bucket);
    await server.resume();
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The environment a process needs to use `s3://<bucket>/<prefix>` on this server. */
  env(prefix = ''): Record<string, string> {
    return {
      ARTIFACTS_URL: `s3://${this.bucket}/${prefix}`,
      S3_ENDPOINT: this.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    };
  }

  /** Starts (again) on the same port and folder; resolves once it answers HTTP. */
  async resume(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      process.execPath,
      [
        S3RVER_BIN,
        '-d',
        this.directory,
        '-a',
        '127.0.0.1',
        '-p',
        String(this.port),
        '--silent',
        '--configure-bucket',
        this.bucket,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    this.child = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await fetch(`${this.endpoint}/`);
        return;
      } catch {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`s3rver did not start on port ${this.port}: ${stderr}`);
        await sleep(100);
      }
    }
  }

  /** Kills the server (SIGKILL: an outage, not a shutdown); the stored objects stay in its folder. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { effectiveInstructions, parseDockerfile, type Stage } from './dockerfile-parser.js';

const root = resolve(import.meta.dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Service {
  build?: { context: string; dockerfile: string; target?: string };
  image?: string;
  command?: string[];
  entrypoint?: string[];
  restart?: string;
  healthcheck?: { test: string[] };
  container_name?: string;
  ports?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  deploy?: {
    resources?: { reservations?: { devices?: { driver: string; count: number; capabilities: string[] }[] } };
  };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
const { services } = compose;
const appServices = ['api', 'trainer', 'renderer', 'trainer-gpu'];
const workersCompose = parse(read('infra/workers.compose.yml'), { merge: true }) as ComposeFile;

/** A value as Compose resolves it with nothing set: `${NAME:-default}` becomes the default. */
const withDefaults = (value: string) => value.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

function stagesOf(dockerfile: string) {
  const parsed = parseDockerfile(read(dockerfile));
  // Resolve `FROM ${ARG}` with the ARG defaults declared before the first FROM.
  const args = new Map(
    parsed.preamble.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=') as [string, string]),
  );
  for (const stage of parsed.stages)
    stage.from = stage.from.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? '');
  return parsed.stages;
}
function targetStage(service: Service): { stages: Stage[]; stage: Stage } {
  const stages = stagesOf(service.build!.dockerfile);
  const stage = service.build!.target ? stages.find((s) => s.name === service.build!.target) : stages.at(-1);
  if (!stage) throw new Error(`${service.build!.dockerfile} has no stage ${service.build!.target}`);
  return { stages, stage };
}

describe('docker-compose.yml', () => {
  it('declares redis, minio (and its bucket job), api, trainer, renderer and the gpu trainer', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'minio',
      'minio-init',
      'redis',
      'renderer',
      'trainer',
      'trainer-gpu',
    ]);
  });

  it('runs MinIO on a named volume with a health check, and creates the bucket once it is healthy', () => {
    const minio = services.minio;
    expect(minio.image).toMatch(/^minio\/minio:RELEASE\./);
    expect(minio.command?.slice(0, 2)).toEqual(['server', '/data']);
    const [volume, target] = minio.volumes![0].split(':');
    expect(target).toBe('/data');
    expect(compose.volumes).toHaveProperty(volume);
    expect(minio.healthcheck?.test).toEqual(['CMD', 'mc', 'ready', 'local']);
    const init = services['minio-init'];
    expect(init.image).toMatch(/^minio\/mc:RELEASE\./);
    expect(init.depends_on?.minio.condition).toBe('service_healthy');
    expect(init.restart).toBe('no');
    const script = init.entrypoint!.at(-1)!;
    expect(script).toContain('mc alias set cam http://minio:9000');
    expect(script).toMatch(/mc mb --ignore-existing "cam\/\$\$S3_BUCKET"/);
    // The bucket it makes is the one the apps use, with the credentials MinIO was started with.
    const app = services.trainer.environment!;
    expect(`s3://${withDefaults(init.environment!.S3_BUCKET)}`).toBe(withDefaults(app.ARTIFACTS_URL));
    expect(init.environment!.S3_ACCESS_KEY).toBe(minio.environment!.MINIO_ROOT_USER);
    expect(init.environment!.S3_SECRET_KEY).toBe(minio.environment!.MINIO_ROOT_PASSWORD);
    expect(app.AWS_ACCESS_KEY_ID).toBe(minio.environment!.MINIO_ROOT_USER);
    expect(app.AWS_SECRET_ACCESS_KEY).toBe(minio.environment!.MINIO_ROOT_PASSWORD);
  });

  it('publishes Redis and S3 on localhost unless EXPOSE_ADDR opens them to other hosts', () => {
    expect(services.redis.ports).toEqual(['${EXPOSE_ADDR:-127.0.0.1}:${REDIS_PORT:-6379}:6379']);
    expect(services.minio.ports).toContain('${EXPOSE_ADDR:-127.0.0.1}:${S3_PORT:-9000}:9000');
  });

  it('runs Redis with an append-only file on a named volume', () => {
    const redis = services.redis;
    expect(redis.command?.join(' ')).toMatch(/--appendonly yes/);
    const [volume, target] = redis.volumes![0].split(':');
    expect(target).toBe('/data');
    expect(compose.volumes).toHaveProperty(volume);
  });

  it.each(appServices)(
    '%s shares no volume: artifacts go to the MinIO bucket, jobs through Redis',
    (name) => {
      const service = services[name];
      expect(service.volumes).toBeUndefined();
      expect(service.environment!.ARTIFACTS_DIR).toBeUndefined();
      expect(withDefaults(service.environment!.ARTIFACTS_URL)).toBe('s3://cam-artifacts');
      expect(new URL(service.environment!.S3_ENDPOINT).hostname).toBe('minio');
      expect(new URL(service.environment!.REDIS_URL).hostname).toBe('redis');
      expect(service.depends_on?.redis.condition).toBe('service_healthy');
      expect(service.depends_on?.['minio-init'].condition).toBe('service_completed_successfully');
    },
  );

  it.each(['trainer', 'renderer', 'trainer-gpu'])(
    '%s can be scaled: no container_name, no host port',
    (name) => {
      expect(services[name].container_name).toBeUndefined();
      expect(services[name].ports).toBeUndefined();
    },
  );

  it('publishes the API port', () => {
    expect(services.api.ports).toEqual(['${API_PORT:-3000}:3000']);
    expect(services.api.environment!.PORT).toBe('3000');
  });

  it('puts only the GPU trainer behind the gpu profile, with an NVIDIA device reservation', () => {
    for (const name of ['redis', 'api', 'trainer', 'renderer'])
      expect(services[name].profiles).toBeUndefined();
    const gpu = services['trainer-gpu'];
    expect(gpu.profiles).toEqual(['gpu']);
    const devices = gpu.deploy?.resources?.reservations?.devices ?? [];
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ driver: 'nvidia', count: 1 });
    expect(devices[0].capabilities).toContain('gpu');
    expect(gpu.build!.dockerfile).toBe('infra/docker/Dockerfile.gpu');
  });

  it.each(appServices)(
    '%s builds an existing Dockerfile stage whose command starts an existing entry file',
    (name) => {
      const service = services[name];
      expect(service.build!.context).toBe('.');
      expect(existsSync(join(root, service.build!.dockerfile))).toBe(true);
      const { stages, stage } = targetStage(service);
      const cmd = effectiveInstructions(stages, stage).findLast((i) => i.keyword === 'CMD');
      const entry = (JSON.parse(cmd!.args) as string[]).find((arg) => arg.endsWith('.ts'));
      expect(entry, `CMD of ${name}`).toBeDefined();
      expect(existsSync(join(root, entry!)), `${entry} exists`).toBe(true);
    },
  );
});

describe('infra/workers.compose.yml (extra workers on another host)', () => {
  const workers = workersCompose.services;
  const example = Object.fromEntries(
    read('infra/workers.env.example')
      .split('\n')
      .filter((line) => /^\w+=/.test(line))
      .map((line) => line.split('=') as [string, string]),
  );

  it('runs trainers and renderers only, from the same Dockerfile stages as the main stack', () => {
    expect(Object.keys(workers).sort()).toEqual(['renderer', 'trainer']);
    for (const name of ['trainer', 'renderer']) {
      expect(workers[name].build).toEqual({ ...services[name].build, context: '..' });
      expect(workers[name].volumes).toBeUndefined();
      expect(workers[name].ports).toBeUndefined();
      expect(workers[name].container_name).toBeUndefined();
    }
    expect(workers.trainer.stop_grace_period).toBe(services.trainer.stop_grace_period);
  });

  it('needs only REDIS_URL and S3_ENDPOINT (Compose refuses to start without them); the rest matches the main stack', () => {
    for (const name of ['trainer', 'renderer']) {
      const env = workers[name].environment!;
      const required = Object.values(env).flatMap((v) => [...v.matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]));
      expect(required.sort()).toEqual(['REDIS_URL', 'S3_ENDPOINT']);
      const main = services[name].environment!;
      for (const key of ['ARTIFACTS_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
        expect(env[key], key).toBe(main[key]);
    }
    expect(Object.keys(example).sort()).toEqual(['REDIS_URL', 'S3_ENDPOINT']);
    expect(new URL(example.REDIS_URL!).protocol).toBe('redis:');
    expect(new URL(example.S3_ENDPOINT!).port).toBe('9000');
  });
});

describe('Dockerfiles', () => {
  const workspaceManifests = ['apps', 'libs', 'tools'].flatMap((dir) =>
    readdirSync(join(root, dir))
      .map((name) => `${dir}/${name}/package.json`)
      .filter((path) => existsSync(join(root, path))),
  );

  it.each(appServices)('%s: multi-stage, non-root, with a HEALTHCHECK', (name) => {
    const { stages, stage } = targetStage(services[name]);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const own = effectiveInstructions(stages, stage);
    const user = own.findLast((i) => i.keyword === 'USER');
    expect(user, 'USER').toBeDefined();
    expect(['root', '0']).not.toContain(user!.args.split(':')[0]);
    expect(own.some((i) => i.keyword === 'HEALTHCHECK' && i.args.includes('CMD'))).toBe(true);
    // node_modules come from a build stage, not from the build context.
    expect(own.some((i) => i.keyword === 'COPY' && /--from=\w+ \/app\/node_modules/.test(i.args))).toBe(true);
  });

  it.each(['infra/docker/Dockerfile', 'infra/docker/Dockerfile.gpu'])(
    '%s installs every workspace manifest before npm ci and fails the build without the native backend',
    (dockerfile) => {
      const deps = stagesOf(dockerfile).find((s) => s.name === 'deps')!;
      const copied = deps.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args.split(' ')[0]);
      for (const manifest of workspaceManifests) expect(copied, dockerfile).toContain(manifest);
      const install = deps.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('npm ci'))!;
      expect(install.args).toMatch(/node -e .*require\('@tensorflow\/tfjs-node(\/package\.json)?'\)/);
    },
  );

  it('the CPU image installs @tensorflow/tfjs-node at the version the lockfile pins', () => {
    const pinned = (JSON.parse(read('package.json')) as { optionalDependencies: Record<string, string> })
      .optionalDependencies['@tensorflow/tfjs-node'];
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version: string }> };
    expect(lock.packages['node_modules/@tensorflow/tfjs-node'].version).toBe(pinned);
  });

  it('the GPU image runs tfjs-node-gpu on CUDA 11.2 + cuDNN 8.1 (libtensorflow 2.9.1)', () => {
    const stages = stagesOf('infra/docker/Dockerfile.gpu');
    const runtime = targetStage(services['trainer-gpu']).stage;
    expect(runtime.from).toBe('nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04');
    const tfjsVersion = (JSON.parse(read('package.json')) as { dependencies: Record<string, string> })
      .dependencies['@tensorflow/tfjs'];
    const deps = stages.find((s) => s.name === 'deps')!;
    expect(deps.instructions.map((i) => i.args).join('\n')).toContain(
      `@tensorflow/tfjs-node@npm:@tensorflow/tfjs-node-gpu@${tfjsVersion}`,
    );
    // Node and native modules are built on bullseye: the same glibc (2.31) as Ubuntu 20.04.
    expect(deps.from).toMatch(/^node:20-bullseye/);
  });

  it('.dockerignore keeps node_modules and build output out of the context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', 'out']) expect(ignored).toContain(entry);
  });
});

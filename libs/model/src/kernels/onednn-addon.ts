/**
 * The optional native addon (`libs/model/native/onednn-conv.cc`): 2-D convolutions on oneDNN, run in place
 * on the wasm backend's heap. It is compiled here with the machine's C++ compiler against Node's headers and
 * Debian's libdnnl-dev (no node-gyp, so no Python and no header download), at `npm ci` (the package's
 * install script) or on first use, and rebuilt when its source changes. Where it cannot be built or
 * loaded the emitted wasm kernels run, and {@link onednnAddon} says why.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions; tensors are byte offsets into `heap`, geometry is {@link convGeometryArray}'s. */
export interface OnednnAddon {
  conv2d(
    heap: ArrayBuffer,
    geometry: Int32Array,
    src: number,
    weights: number,
    bias: number,
    dst: number,
    relu: boolean,
  ): void;
  conv2dBackpropInput(
    heap: ArrayBuffer,
    geometry: Int32Array,
    diffDst: number,
    weights: number,
    diffSrc: number,
  ): void;
  conv2dBackpropFilter(
    heap: ArrayBuffer,
    geometry: Int32Array,
    src: number,
    diffDst: number,
    diffWeights: number,
    diffBias: number,
  ): void;
  /** OpenMP threads of the calling thread's oneDNN calls (1 until set). */
  setThreads(threads: number): void;
  info(): { version: string; isa: string; threads: number };
}

const NATIVE_DIR = fileURLToPath(new URL('../../native/', import.meta.url));
const SOURCE = join(NATIVE_DIR, 'onednn-conv.cc');
const BUILD_DIR = join(NATIVE_DIR, 'build');
const BINARY = join(BUILD_DIR, 'onednn-conv.node');
/** The source's hash the binary was built from, so that a changed source is rebuilt. */
const BUILT_FROM = join(BUILD_DIR, 'onednn-conv.source-sha256');

function sourceHash(): string {
  return createHash('sha256').update(readFileSync(SOURCE)).digest('hex');
}

/** Node's C headers next to its binary (/usr/bin/node -> /usr/include/node), or where npm says. */
function nodeHeaders(): string | undefined {
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    ...(process.env.npm_config_nodedir ? [join(process.env.npm_config_nodedir, 'include', 'node')] : []),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
}

/** What is missing for a build, or undefined when a compiler, Node's headers and oneDNN's are there. */
function missingPrerequisite(compiler: string): string | undefined {
  if (spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status !== 0)
    return `no C++ compiler ('${compiler}')`;
  if (nodeHeaders() === undefined) return "no Node headers (node_api.h) next to Node's binary";
  if (!existsSync('/usr/include/oneapi/dnnl/dnnl.hpp')) return 'no oneDNN headers (Debian libdnnl-dev)';
  return undefined;
}

/**
 * Compiles the addon when its binary is missing or older than its source; returns why it could not.
 * Writes to a temporary file renamed into place, so concurrent builds (parallel test files) never load
 * a half-written binary.
 */
export function buildOnednnAddon(): { built: boolean; error?: string; prerequisiteMissing?: boolean } {
  const hash = sourceHash();
  if (existsSync(BINARY) && existsSync(BUILT_FROM) && readFileSync(BUILT_FROM, 'utf8') === hash)
    return { built: true };
  const compiler = process.env.CXX ?? 'g++';
  const missing = missingPrerequisite(compiler);
  if (missing !== undefined) return { built: false, error: missing, prerequisiteMissing: true };
  mkdirSync(BUILD_DIR, { recursive: true });
  const temporary = `${BINARY}.${process.pid}.tmp`;
  const args = ['-O2', '-std=c++17', '-shared', '-fPIC', `-I${nodeHeaders()}`, SOURCE, '-o', temporary];
  const compiled = spawnSync(compiler, [...args, '-ldnnl', '-lgomp'], { encoding: 'utf8' });
  if (compiled.status !== 0) {
    rmSync(temporary, { force: true });
    const output = `${compiled.stderr ?? ''}${compiled.error?.message ?? ''}`.trim();
    return { built: false, error: `${compiler} failed: ${output.split('\n').slice(0, 5).join(' | ')}` };
  }
  renameSync(temporary, BINARY);
  writeFileSync(BUILT_FROM, hash);
  return { built: true };
}

/** The addon, or why not (`prerequisiteMissing`: this machine cannot build it, as opposed to a failed build or load). */
type Loaded =
  | { addon: OnednnAddon; error?: undefined }
  | { addon?: undefined; error: string; prerequisiteMissing: boolean };
let loaded: Loaded | undefined;

/** The addon, built first if needed, or why it is unavailable (tried once per thread). */
export function onednnAddon(): Loaded {
  if (loaded !== undefined) return loaded;
  try {
    const build = buildOnednnAddon();
    loaded = build.built
      ? { addon: createRequire(import.meta.url)(BINARY) as OnednnAddon }
      : { error: build.error ?? 'not built', prerequisiteMissing: build.prerequisiteMissing ?? false };
  } catch (err) {
    loaded = {
      error: (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '',
      prerequisiteMissing: false,
    };
  }
  return loaded;
}

import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

/** The vector extensions a kernel's speed depends on, in the names /proc/cpuinfo uses. */
const VECTOR_FLAGS = [
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512_vnni',
  'avx512_bf16',
  'amx_tile',
  'amx_bf16',
];

export interface Machine {
  cpu: string;
  cores: number;
  vector_extensions: string[];
  /** oneDNN's version and the instruction set it dispatches to, or null without the addon. */
  onednn: string | null;
}

/** The CPU model, core count and vector extensions (from /proc/cpuinfo on Linux), and oneDNN's ISA. */
export function describeMachine(onednn: { version: string; isa: string } | undefined): Machine {
  let flags: string[] = [];
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    flags = line?.split(':')[1]?.trim().split(/\s+/) ?? [];
  } catch {
    // not Linux: no flags to report
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    vector_extensions: VECTOR_FLAGS.filter((f) => flags.includes(f)),
    onednn: onednn === undefined ? null : `${onednn.version} (${onednn.isa})`,
  };
}

export function machineLine(m: Machine): string {
  return (
    `cpu: ${m.cpu}, ${m.cores} cores; vector extensions: ${m.vector_extensions.join(' ') || 'unknown'}; ` +
    `oneDNN: ${m.onednn ?? 'unavailable'}`
  );
}

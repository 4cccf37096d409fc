import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stopProcess } from './redis.js';

/** A program the supervisor runs: a TypeScript entry file started through tsx. */
export interface ChildSpec {
  /** Shown before each line of its output, e.g. 'trainer-1'. */
  name: string;
  /** Path of the .ts entry file, relative to the supervisor's cwd. */
  entry: string;
  env?: Record<string, string>;
}

export interface SupervisorOptions {
  /** Working folder of every child. @defaultValue process.cwd() */
  cwd?: string;
  /** Environment every child gets (merged under each spec's env). @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Receives each line a child writes to stdout or stderr. @defaultValue a write to stdout prefixed by the name */
  onLine?: (name: string, line: string) => void;
  /** Called when a child exits while the supervisor is not stopping. @defaultValue a line through onLine */
  onExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
  /** How long a child may take to stop after SIGTERM before it gets SIGKILL. @defaultValue 30000 */
  graceMs?: number;
}

/** A child's line on stdout, after its name in brackets. */
export const defaultOnLine = (name: string, line: string): void => {
  process.stdout.write(`[${name}] ${line}\n`);
};

/** Starts child processes, forwards their output line by line, and stops them all (SIGTERM, then SIGKILL). */
export class Supervisor {
  readonly children = new Map<string, ChildProcess>();
  private stoppingAll = false;
  private readonly opts: Required<SupervisorOptions>;

  constructor(opts: SupervisorOptions = {}) {
    const onLine = opts.onLine ?? defaultOnLine;
    this.opts = {
      cwd: process.cwd(),
      env: process.env,
      graceMs: 30_000,
      onLine,
      onExit: (name, code, signal) => onLine(name, `exited (${signal ?? `code ${code}`})`),
      ...opts,
    };
  }

  start(spec: ChildSpec): ChildProcess {
    if (this.children.has(spec.name)) throw new Error(`a child named ${spec.name} is already running`);
    const child = spawn(process.execPath, ['--import', 'tsx', spec.entry], {
      cwd: this.opts.cwd,
      env: { ...this.opts.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.opts.onLine(spec.name, line));
    }
    this.children.set(spec.name, child);
    child.once('exit', (code, signal) => {
      this.children.delete(spec.name);
      if (!this.stoppingAll) this.opts.onExit(spec.name, code, signal);
    });
    return child;
  }

  /** True once stopAll was called: children exiting now were asked to. */
  get stopping(): boolean {
    return this.stoppingAll;
  }

  /** SIGTERM to every child at once; SIGKILL to those still running after the grace period. */
  async stopAll(): Promise<void> {
    this.stoppingAll = true;
    await Promise.all([...this.children.values()].map((child) => stopProcess(child, this.opts.graceMs)));
  }
}

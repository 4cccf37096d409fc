import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Bad flags or input: the message names the flag; the command exits with status 2 after printing its usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where a command writes: stdout for results, stderr for progress, messages and usage. */
export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

type FlagSpec = NonNullable<ParseArgsConfig['options']>;
type ParsedFlags<T extends FlagSpec> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>['values'];

/** Strict flag parsing (node:util parseArgs): unknown flags, missing values and positionals are usage errors. */
export function parseFlags<T extends FlagSpec>(argv: string[], flags: T): ParsedFlags<T> {
  try {
    return parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A number flag, checked: `integer` and `min`/`max` bounds; undefined when the flag is absent. */
export function numberFlag(
  name: string,
  text: string | undefined,
  check: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean } = {},
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`--${name}: '${text}' is not a number`);
  if (check.integer && !Number.isInteger(value))
    throw new UsageError(`--${name}: must be an integer, got ${text}`);
  if (check.min !== undefined && (check.exclusiveMin ? value <= check.min : value < check.min)) {
    throw new UsageError(
      `--${name}: must be ${check.exclusiveMin ? 'greater than' : 'at least'} ${check.min}, got ${text}`,
    );
  }
  if (check.max !== undefined && value > check.max)
    throw new UsageError(`--${name}: must be at most ${check.max}, got ${text}`);
  return value;
}

/** One of a fixed list of words. */
export function choiceFlag<C extends string>(
  name: string,
  text: string | undefined,
  choices: readonly C[],
): C | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text))
    throw new UsageError(`--${name}: must be one of ${choices.join(', ')}, got '${text}'`);
  return text as C;
}

/** What every CLI command shares: its I/O, the usage error, and strict argument parsing. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes: injectable so tests run commands in-process. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** Signature of every command module's entry point: returns the process exit code. */
export type CommandRun = (args: string[], io: CliIo) => Promise<number>;

/** Exit codes: success, runtime failure (bad file, I/O), usage (bad command line). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The command line is wrong (missing argument, bad value); the message says what is expected. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** Parsed command line: option values by name (string, boolean for flags, string[] for repeatable options), then positionals. */
export interface ParsedCommand<O extends Options> {
  values: { [K in keyof O]?: O[K] extends { multiple: true } ? string[] : O[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
}

/**
 * Parses `args` strictly (unknown options are usage errors; `--help`/`-h` is always accepted) and
 * checks the positional count (a last name ending in '...' takes one or more). Returns `null` when
 * help was asked for: the caller prints usage.
 */
export function parseCommand<O extends Options>(args: string[], options: O, positionalNames: readonly string[]):
  ParsedCommand<O> | null {
  const parsed = parseArgs({ args, options: { ...options, ...HELP }, strict: true, allowPositionals: true });
  if ((parsed.values as { help?: boolean }).help) return null;
  // A last name ending in '...' takes one or more arguments.
  const variadic = positionalNames.at(-1)?.endsWith('...') === true;
  const count = parsed.positionals.length;
  if (variadic ? count < positionalNames.length : count !== positionalNames.length) {
    throw new UsageError(`expected ${variadic ? 'at least ' : ''}${positionalNames.length} argument(s) `
      + `(${positionalNames.join(', ') || 'none'}), got ${count}`);
  }
  return parsed as ParsedCommand<O>;
}

/** Parses a non-negative integer option value, or throws a UsageError naming the option. */
export function parseIndex(value: string, option: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${option} takes a non-negative integer, got '${value}'`);
  return Number(value);
}

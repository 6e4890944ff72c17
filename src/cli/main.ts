/** The `tinyhush` command line: dispatches to one module per command. */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidOptionError, TinyhushError, UnknownModelError } from '../errors.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliIo, type CommandRun } from './args.js';

/**
 * The commands, loaded on use (eval pulls in heavier code), each with its synopsis: every option
 * it takes, so the top-level help lists them all.
 */
const COMMANDS: Readonly<Record<string, { synopsis: string; summary: string; load: () => Promise<{ run: CommandRun }> }>> = {
  denoise: {
    synopsis: 'denoise <in.wav> <out.wav> | <in.wav>... --out-dir DIR [--jobs N] [--model NAME|PATH] [--exit N|auto | --budget MMAC/s] [--gate-ratio R] [--report FILE]',
    summary: 'denoise a WAV file (16/24-bit PCM or 32-bit float, mono or stereo, 8–48 kHz)',
    load: () => import('./commands/denoise.js'),
  },
  models: { synopsis: 'models', summary: 'list the bundled models', load: () => import('./commands/models.js') },
  info: {
    synopsis: 'info <model-name-or-file.thm>',
    summary: 'describe a model: layers, exits, tensors, provenance',
    load: () => import('./commands/info.js'),
  },
  eval: {
    synopsis: 'eval --clean DIR|FILE --enhanced DIR|FILE [--noisy DIR|FILE] [--dnsmos DIR] [--max-delay-ms MS] [--json FILE]',
    summary: 'score enhanced speech against clean references (SI-SDR, STOI, ESTOI, DNSMOS)',
    load: () => import('./commands/eval.js'),
  },
  quantize: {
    synopsis: 'quantize <model-name-or-file.thm> --bits N [--act-bits 8|16] [--calibration DIR|FILE]... [--name NAME] --out FILE'
      + ' | --search --out-dir DIR [--population N] [--generations G] [--seed S] [--calibration DIR] [--seconds S]'
      + ' | --from FILE --point K [--name NAME] --out FILE',
    summary: 'turn a float model into an integer one (N-bit weights), or search per-operator bit widths (NSGA-II) for the size/quality front',
    load: () => import('./commands/quantize.js'),
  },
  prune: {
    synopsis: 'prune <integer-model-name-or-file.thm> --kind weight|block|unit --sparsity S --out FILE [--calibration DIR|default] [--seconds S]'
      + ' [--reference MODEL] [--sensitivity FILE] [--name NAME]',
    summary: 'prune an integer model by magnitude with per-layer sensitivity (weights → csr, 4×4 blocks → block-sparse, units → smaller layers)',
    load: () => import('./commands/prune.js'),
  },
};

const USAGE = `Usage: tinyhush <command> [options]

Commands:
${Object.values(COMMANDS).map(({ synopsis, summary }) => `  ${synopsis}\n      ${summary}`).join('\n')}

Options:
  -h, --help     show help (also after a command, for its details: tinyhush denoise --help)
  -V, --version  show the version
`;

/**
 * Runs the CLI with `argv` (the arguments after the program name) and returns the exit code:
 * 0 success, 1 runtime failure, 2 bad command line. Errors are printed to `io.stderr` as one
 * message; stack traces only for unexpected (internal) errors.
 */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }):
  Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.stderr.write(USAGE);
      return EXIT_USAGE;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    if (command === '--version' || command === '-V') {
      io.stdout.write(`${await packageVersion()}\n`);
      return EXIT_OK;
    }
    if (!Object.hasOwn(COMMANDS, command)) {
      throw new UsageError(`unknown ${command.startsWith('-') ? 'option' : 'command'} '${command}'; `
        + `supported commands: ${Object.keys(COMMANDS).join(', ')}`);
    }
    const { run } = await COMMANDS[command].load();
    return await run(rest, io);
  } catch (error) {
    return reportError(error, io, command);
  }
}

/** Prints an error the way a user needs it and returns the exit code it deserves. */
function reportError(error: unknown, io: CliIo, command: string | undefined): number {
  const isUsage = error instanceof UsageError || error instanceof UnknownModelError
    || error instanceof InvalidOptionError || hasCode(error, /^ERR_PARSE_ARGS/);
  if (isUsage) {
    const help = command && Object.hasOwn(COMMANDS, command) ? `tinyhush ${command} --help` : 'tinyhush --help';
    io.stderr.write(`tinyhush: ${(error as Error).message}\nSee '${help}'.\n`);
    return EXIT_USAGE;
  }
  const message = error instanceof TinyhushError ? error.message
    : isSystemError(error) ? systemErrorMessage(error) : (error as Error)?.stack ?? String(error);
  io.stderr.write(`tinyhush: ${message}\n`);
  return EXIT_FAILURE;
}

/** Node's I/O errors (ENOENT, EACCES, …): they name the user's path and need no stack trace. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return hasCode(error, /^E[A-Z]+$/) && 'syscall' in (error as object);
}

/** "cannot open in.wav: no such file or directory (ENOENT)" from Node's "ENOENT: no such …, open 'in.wav'". */
function systemErrorMessage(error: NodeJS.ErrnoException): string {
  const { code, syscall, path, message } = error;
  if (path === undefined) return message;
  const reason = message.replace(/^E[A-Z]+: /, '').replace(/, \w+ '.*$/s, '');
  return message.startsWith(`${code}: `) ? `cannot ${syscall} ${path}: ${reason} (${code})` : message;
}

function hasCode(error: unknown, pattern: RegExp): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && pattern.test(code);
}

/** The version in the package.json above this module (found the same way from src/ and dist/). */
async function packageVersion(): Promise<string> {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    const pkg = text === undefined ? undefined : JSON.parse(text) as { name?: string; version?: string };
    if (pkg?.name === 'tinyhush' && pkg.version) return pkg.version;
    if (dirname(dir) === dir) throw new Error('package.json of tinyhush not found above the CLI module');
  }
}

/** `tinyhush denoise in.wav out.wav` (or several inputs with --out-dir): denoise WAV files, report what it cost. */
import { writeFile } from 'node:fs/promises';
import { denoiseFile, type DenoiseFileReport, type DenoiseProgress } from '../../node/denoise-file.js';
import type { PolicySpec } from '../../policy/spec.js';
import { EXIT_OK, parseCommand, parseIndex, UsageError, type CliIo } from '../args.js';
import { armInterrupt, signalExitCode } from '../interrupt.js';
import { sameFile } from '../same-file.js';
import { runMany } from './denoise-many.js';

const USAGE = `Usage: tinyhush denoise <in.wav> <out.wav> [options]
       tinyhush denoise <in.wav>... --out-dir DIR [--jobs N] [options]

Denoises a WAV file (16/24-bit PCM or 32-bit float, mono or stereo, 8–48 kHz). The output keeps
the input's length, rate and sample format. It is written to a temporary file next to <out.wav>
and renamed into place when complete (an existing file keeps its permissions), so <out.wav> must
be a regular or a new file, not a pipe or a device; it may be <in.wav>. Ctrl-C leaves no file.

Options:
  --model NAME|PATH   bundled model name (see 'tinyhush models') or a .thm file
  --exit N|auto       run every frame through exit N (0 = cheapest), or 'auto': the adaptive
                      policy (deep exit on noisy speech only); default: the full model
  --budget MMAC/s     hold an average of this many million model MACs per second of audio
                      (all channels), clamped to the model's range; not with --exit
  --gate-ratio R      a model with channel gates (dynamic pruning) runs at gate ratio R in
                      [0, 1]: lower runs fewer channels (its lowest, 0.25, below that); others
                      ignore it; default 1; a --budget sets the ratio itself
  --report FILE       write telemetry and file details as JSON to FILE (not in.wav or out.wav);
                      with --out-dir, a JSON array: one report (or error) per input
  --out-dir DIR       denoise every <in.wav> into DIR under its own name (DIR must exist)
  --jobs N            with --out-dir: worker threads, one file each at a time (default: one
                      per core); any N writes the same files
  -h, --help          show this help
`;

/** The options (exported so the top-level help can be checked against them). */
export const OPTIONS = {
  model: { type: 'string' },
  exit: { type: 'string' },
  budget: { type: 'string' },
  'gate-ratio': { type: 'string' },
  report: { type: 'string' },
  'out-dir': { type: 'string' },
  jobs: { type: 'string' },
} as const;

/** Runs `tinyhush denoise`; see USAGE. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(args, OPTIONS, ['in.wav...']);
  if (!parsed) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const { model, report: reportPath, 'out-dir': outDir, jobs } = parsed.values;
  const policy = policyOf(parsed.values.exit, parsed.values.budget);
  const gateRatio = gateRatioOf(parsed.values['gate-ratio']);
  if (outDir !== undefined) {
    return runMany({ inputs: parsed.positionals, outDir, jobs, model, policy, gateRatio, reportPath }, io, summaryLine);
  }
  if (jobs !== undefined) throw new UsageError('--jobs needs --out-dir: it spreads several input files over worker threads');
  if (parsed.positionals.length !== 2) {
    throw new UsageError(`expected 2 argument(s) (in.wav, out.wav), got ${parsed.positionals.length}; `
      + 'for several inputs give --out-dir DIR');
  }
  const [inPath, outPath] = parsed.positionals;
  if (reportPath !== undefined) await checkReportPath(reportPath, inPath, outPath);
  const showProgress = io.stderr.isTTY === true;
  const interrupt = armInterrupt();
  let report: DenoiseFileReport;
  try {
    report = await denoiseFile(inPath, outPath, {
      ...(model !== undefined && { model }),
      ...(policy !== undefined && { policy }),
      ...(gateRatio !== undefined && { gateRatio }),
      ...(showProgress && { onProgress: (progress: DenoiseProgress) => io.stderr.write(progressLine(progress)) }),
      signal: interrupt.signal,
    });
  } catch (error) {
    const signal = interrupt.received();
    if (signal === undefined) throw error;
    io.stderr.write(`${showProgress ? '\n' : ''}tinyhush: interrupted by ${signal}; ${outPath} was not written\n`);
    return signalExitCode(signal);
  } finally {
    interrupt.disarm();
  }
  if (showProgress) io.stderr.write('\n');
  if (reportPath !== undefined) await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  const settings = report.policySettings;
  if (policy?.kind === 'budget' && settings.kind === 'budget' && settings.macsPerSecond !== policy.macsPerSecond) {
    io.stderr.write(`note: --budget ${mmacs(policy.macsPerSecond)} is outside what this model can spend; `
      + `clamped to ${mmacs(settings.macsPerSecond)} MMAC/s\n`);
  }
  io.stderr.write(`${summaryLine(report)}\n`);
  return EXIT_OK;
}

/** Refuses a report path that names the input or the output WAV file (which it would overwrite). */
async function checkReportPath(reportPath: string, inPath: string, outPath: string): Promise<void> {
  for (const [role, path] of [['input', inPath], ['output', outPath]] as const) {
    if (await sameFile(reportPath, path)) {
      throw new UsageError(`--report ${reportPath} is the ${role} file ${path}; give the report a file of its own`);
    }
  }
}

function mmacs(macsPerSecond: number): string {
  return (macsPerSecond / 1e6).toFixed(2);
}

/** The ratio of `--gate-ratio R`, a number in [0, 1], or undefined for the default. */
function gateRatioOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ratio = Number(value);
  if (value.trim() === '' || !(ratio >= 0 && ratio <= 1)) {
    throw new UsageError(`--gate-ratio takes a number from 0 to 1, got '${value}'`);
  }
  return ratio;
}

/** The policy of `--exit N|auto` and `--budget MMAC/s` (at most one of them), or undefined for the default. */
function policyOf(exit: string | undefined, budget: string | undefined): PolicySpec | undefined {
  if (exit !== undefined && budget !== undefined) {
    throw new UsageError('--exit and --budget exclude each other: give a fixed exit (or auto) or a MAC budget');
  }
  if (budget !== undefined) {
    const perSecond = Number(budget);
    if (budget.trim() === '' || !Number.isFinite(perSecond) || perSecond <= 0) {
      throw new UsageError(`--budget takes a positive number of million MACs per second, got '${budget}'`);
    }
    return { kind: 'budget', macsPerSecond: perSecond * 1e6 };
  }
  if (exit === undefined) return undefined;
  if (exit === 'auto') return { kind: 'adaptive' };
  if (!/^\d+$/.test(exit)) throw new UsageError(`--exit takes an exit index (0, 1, …) or 'auto', got '${exit}'`);
  return { kind: 'fixed', exit: parseIndex(exit, 'exit') };
}

function progressLine({ framesDone, framesTotal }: DenoiseProgress): string {
  return `\rdenoising: ${((100 * framesDone) / framesTotal).toFixed(0).padStart(3)}%`;
}

/** One line: what was written, how much work it took, how fast and how late. */
function summaryLine(report: DenoiseFileReport): string {
  const gates = report.gateActiveRatio;
  const ofDense = report.macsDense > 0 ? ` (${((100 * report.macs) / report.macsDense).toFixed(0)}% of dense)` : '';
  return `${report.output.path}: ${report.seconds.toFixed(2)} s of audio, ${report.frames} frames, `
    + `RTF ${report.realTimeFactor.toFixed(4)}, ${(report.macsPerSecond / 1e6).toFixed(2)} M MACs/s${ofDense}, `
    + `latency ${((1000 * report.latencySamples) / report.input.sampleRate).toFixed(1)} ms, policy ${report.policy}`
    + (report.policy === 'fixed' ? '' : `, ${report.decisionsPerSecond.toFixed(2)} exit changes/s`)
    + (gates.length === 0 ? '' : `, ${((100 * gates.reduce((a, b) => a + b, 0)) / gates.length).toFixed(0)}% of gated channels ran`);
}

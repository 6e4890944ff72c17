/** `tinyhush denoise in.wav out.wav`: denoise a WAV file, report what it cost. */
import { writeFile } from 'node:fs/promises';
import { denoiseFile, type DenoiseFileReport, type DenoiseProgress } from '../../node/denoise-file.js';
import { EXIT_OK, parseCommand, parseIndex, type CliIo } from '../args.js';

const USAGE = `Usage: tinyhush denoise <in.wav> <out.wav> [options]

Denoises a WAV file (16/24-bit PCM or 32-bit float, mono or stereo, 8–48 kHz). The output keeps
the input's length, rate and sample format.

Options:
  --model NAME|PATH   bundled model name (see 'tinyhush models') or a .thm file
  --exit N            run every frame through exit N (0 = cheapest); default: the full model
  --report FILE       write telemetry and file details as JSON to FILE
  -h, --help          show this help
`;

const OPTIONS = {
  model: { type: 'string' },
  exit: { type: 'string' },
  report: { type: 'string' },
} as const;

/** Runs `tinyhush denoise`; see USAGE. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(args, OPTIONS, ['in.wav', 'out.wav']);
  if (!parsed) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const [inPath, outPath] = parsed.positionals;
  const { model, report: reportPath } = parsed.values;
  const exit = parsed.values.exit === undefined ? undefined : parseIndex(parsed.values.exit, 'exit');
  const showProgress = io.stderr.isTTY === true;
  const report = await denoiseFile(inPath, outPath, {
    ...(model !== undefined && { model }),
    ...(exit !== undefined && { exit }),
    ...(showProgress && { onProgress: (progress: DenoiseProgress) => io.stderr.write(progressLine(progress)) }),
  });
  if (showProgress) io.stderr.write('\n');
  if (reportPath !== undefined) await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  io.stderr.write(`${summaryLine(report)}\n`);
  return EXIT_OK;
}

function progressLine({ framesDone, framesTotal }: DenoiseProgress): string {
  return `\rdenoising: ${((100 * framesDone) / framesTotal).toFixed(0).padStart(3)}%`;
}

/** One line: what was written, how much work it took, how fast and how late. */
function summaryLine(report: DenoiseFileReport): string {
  const ofDense = report.macsDense > 0 ? ` (${((100 * report.macs) / report.macsDense).toFixed(0)}% of dense)` : '';
  return `${report.output.path}: ${report.seconds.toFixed(2)} s of audio, ${report.frames} frames, `
    + `RTF ${report.realTimeFactor.toFixed(4)}, ${(report.macsPerSecond / 1e6).toFixed(2)} M MACs/s${ofDense}, `
    + `latency ${((1000 * report.latencySamples) / report.input.sampleRate).toFixed(1)} ms`;
}

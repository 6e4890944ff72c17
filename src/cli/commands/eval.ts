/** `tinyhush eval`: SI-SDR, STOI, ESTOI (and DNSMOS) of enhanced speech against clean references. */
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidOptionError } from '../../errors.js';
import { evaluateDirs, evaluateFileSet } from '../../eval/evaluate.js';
import { formatTable } from '../../eval/table.js';
import { EXIT_OK, parseCommand, type CliIo } from '../args.js';

const USAGE = `Usage: tinyhush eval --clean DIR --enhanced DIR [options]
       tinyhush eval --clean a.wav --enhanced b.wav [options]

Scores enhanced speech against clean references: SI-SDR, STOI, ESTOI and, with --dnsmos,
DNSMOS P.835 (SIG, BAK, OVRL; needs onnxruntime-node: npm install onnxruntime-node). Folders are paired
by file name. The enhanced signal's delay (up to --max-delay-ms) is compensated first.
Prints a Markdown table.

Options:
  --clean DIR|FILE     clean reference WAV file(s)
  --enhanced DIR|FILE  enhanced WAV file(s), same rate as the clean ones
  --noisy DIR|FILE     noisy inputs: also scores them and reports the improvements (Δ)
  --dnsmos DIR         folder holding DNSMOS's sig_bak_ovr.onnx (e.g. ../shared/models/dnsmos)
  --max-delay-ms MS    largest delay searched for (default 100; 0 = no alignment)
  --json FILE          also write the full report as JSON to FILE
  -h, --help           show this help
`;

/** The options (exported so the top-level help can be checked against them). */
export const OPTIONS = {
  clean: { type: 'string' },
  enhanced: { type: 'string' },
  noisy: { type: 'string' },
  dnsmos: { type: 'string' },
  'max-delay-ms': { type: 'string' },
  json: { type: 'string' },
} as const;

async function isDirectory(target: string): Promise<boolean> {
  return (await stat(target)).isDirectory();
}

/** Runs `tinyhush eval`; see USAGE. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(args, OPTIONS, []);
  if (!parsed) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const { clean, enhanced, noisy, dnsmos: dnsmosDir, json } = parsed.values;
  if (clean === undefined || enhanced === undefined) {
    throw new InvalidOptionError('eval needs both --clean and --enhanced (two folders or two WAV files)');
  }
  const maxDelayText = parsed.values['max-delay-ms'];
  const maxDelayMs = maxDelayText === undefined ? undefined : Number(maxDelayText);
  if (maxDelayMs !== undefined && !(maxDelayText !== '' && Number.isFinite(maxDelayMs) && maxDelayMs >= 0)) {
    throw new InvalidOptionError(`--max-delay-ms takes a non-negative number of milliseconds, got '${maxDelayText}'`);
  }
  const inputs = [clean, enhanced, ...(noisy === undefined ? [] : [noisy])];
  const kinds = await Promise.all(inputs.map(isDirectory));
  if (kinds.some((kind) => kind !== kinds[0])) {
    throw new InvalidOptionError(`--clean, --enhanced${noisy === undefined ? '' : ' and --noisy'} must all be folders or all be files`);
  }
  const options = { dnsmosDir, maxDelayMs };
  const report = kinds[0]
    ? await evaluateDirs({ clean, enhanced, noisy, ...options })
    : await evaluateFileSet([{ name: path.basename(enhanced), clean, enhanced, ...(noisy !== undefined && { noisy }) }], options);
  io.stdout.write(`${formatTable(report)}\n`);
  if (json !== undefined) await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  return EXIT_OK;
}

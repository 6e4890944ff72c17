/**
 * `tinyhush quantize MODEL --search --out-dir DIR`: the mixed-precision search (src/quant/search.ts)
 * with a progress bar, its report files and the knee exported; and `--from pareto.json --point K
 * --out FILE`, which exports any point of a front.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resample } from '../../eval/resample.js';
import { crc32 } from '../../model/crc32.js';
import { resolveModelBytes } from '../../model/registry.js';
import type { Model } from '../../model/types.js';
import { loadModel } from '../../node/load-model.js';
import type { BitConfig } from '../../quant/bit-config.js';
import { activationPeaks, scalesFromPeaks } from '../../quant/calibrate.js';
import { readCalibration, type Calibration } from '../../quant/calibration.js';
import { scoredExits, qualityEvaluator } from '../../quant/quality.js';
import { quantizeModel } from '../../quant/quantize-model.js';
import type { QuantScales } from '../../quant/scales.js';
import { paretoReport, readParetoPoint, writeParetoFiles, type ParetoEntry } from '../../quant/search-report.js';
import { runSearch, type SearchProgress } from '../../quant/search.js';
import { EXIT_OK, parseIndex, UsageError, type CliIo } from '../args.js';
import { armInterrupt, signalExitCode } from '../interrupt.js';

/**
 * Defaults sized to finish within 30 minutes on a busy 2-core machine: at most 7 + 16 × 12 = 199
 * configurations, each quantized and run at both exits over 4 s of audio, 2.3–3.3 s apiece for
 * nsnet-ee at load 10–11; the whole default search took 8 min 16 s there (docs/quant-search.md).
 * More generations continue the same search.
 */
export const SEARCH_DEFAULTS = { population: 16, generations: 12, seed: 1, seconds: 4 } as const;

/** The options of the search and of exporting a front point (merged into `tinyhush quantize`'s). */
export const SEARCH_OPTIONS = {
  search: { type: 'boolean' },
  'out-dir': { type: 'string' },
  population: { type: 'string' },
  generations: { type: 'string' },
  seed: { type: 'string' },
  seconds: { type: 'string' },
  from: { type: 'string' },
  point: { type: 'string' },
} as const;

/** Their part of `tinyhush quantize --help`. */
export const SEARCH_USAGE = `Mixed-precision search (NSGA-II over every operator's bit width, docs/quant-search.md):
  --search --out-dir DIR     search the Pareto front of model size (bytes of tensors) against
                             quality; writes DIR/pareto.json, pareto.svg, pareto.png, knee.thm and
                             DIR/state.json after every evaluation: rerun the same command to
                             continue an interrupted search (or give more --generations)
  --population N             configurations per generation (default ${SEARCH_DEFAULTS.population}; at least 2)
  --generations G            generations after the first (default ${SEARCH_DEFAULTS.generations})
  --seed S                   seed of the search (default ${SEARCH_DEFAULTS.seed}); same seed, same front
  --calibration DIR          a folder with noisy/ and clean/ WAV files of equal names: quality is
                             SI-SDR against the clean speech; with noisy/ alone, or by default
                             (examples/noisy-sample.wav), quality is fidelity: SI-SDR against the
                             float model's own output (high values mean "close to float", not
                             "clean"). Either way the mean over the files and over exit 0 and the
                             full exit
  --seconds S                the first S seconds of each calibration file (default ${SEARCH_DEFAULTS.seconds})
  --from FILE --point K      export point K (0 = smallest) of the front in FILE (a pareto.json of
                             this model) to --out FILE
  --name NAME                the exported model's name (default: <float name>-mp)
`;

interface SearchValues {
  search?: boolean;
  'out-dir'?: string;
  population?: string;
  generations?: string;
  seed?: string;
  seconds?: string;
  from?: string;
  point?: string;
  calibration?: string | string[];
  name?: string;
  out?: string;
  bits?: string;
  'act-bits'?: string;
}

/** Runs `--search` or `--from`, whichever `values` has. */
export async function runSearchMode(modelArg: string, values: SearchValues, io: CliIo): Promise<number> {
  for (const option of ['bits', 'act-bits'] as const) {
    if (values[option] !== undefined) throw new UsageError(`--${option} is for homogeneous quantization, not with --search or --from`);
  }
  if (values.search && values.from !== undefined) throw new UsageError('--search and --from exclude each other');
  return values.search ? search(modelArg, values, io) : exportFromFront(modelArg, values, io);
}

function positiveNumber(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`--${option} takes a positive number, got '${text}'`);
  return value;
}

/** The float model, and its name and the CRC-32 of its file (a search's identity of it). */
function floatModel(modelArg: string): { model: Model; identity: { name: string; crc32: string } } {
  const model = loadModel(modelArg);
  const crc = crc32(resolveModelBytes(modelArg)).toString(16).padStart(8, '0');
  return { model, identity: { name: model.header.name, crc32: crc } };
}

function meta(model: Model, name: string | undefined, what: string): { name: string; description: string } {
  return {
    name: name ?? `${model.header.name}-mp`,
    description: `${model.header.description} Integer inference: mixed precision, ${what} (tinyhush quantize --search).`,
  };
}

function pointSummary(entry: ParetoEntry): string {
  return `${entry.sizeBytes} bytes of tensors, quality ${entry.quality.toFixed(2)} dB`;
}

/** The calibration files' noisy audio at the model's rate: what the activation scales are measured on. */
function noisyAtModelRate(calibration: Calibration, rate: number): Float32Array[] {
  return calibration.items.map(({ noisy, sampleRate }) => (sampleRate === rate ? noisy : Float32Array.from(resample(noisy, sampleRate, rate))));
}

async function search(modelArg: string, values: SearchValues, io: CliIo): Promise<number> {
  const outDir = values['out-dir'];
  if (outDir === undefined) throw new UsageError('--search needs --out-dir DIR: where the front, the plot and the state go');
  if (values.out !== undefined) throw new UsageError('--search writes DIR/knee.thm; --out is for --from (export one point)');
  const calibrationDirs = values.calibration === undefined ? [] : [values.calibration].flat();
  if (calibrationDirs.length > 1) throw new UsageError('--search takes one --calibration DIR (with noisy/, and clean/ for SI-SDR against clean speech)');
  const population = parseIndex(values.population ?? String(SEARCH_DEFAULTS.population), 'population');
  if (population < 2) throw new UsageError(`--population must be at least 2, got ${population}`);
  const generations = parseIndex(values.generations ?? String(SEARCH_DEFAULTS.generations), 'generations');
  const seed = parseIndex(values.seed ?? String(SEARCH_DEFAULTS.seed), 'seed');
  if (seed > 0xffffffff) throw new UsageError(`--seed must be below 2^32, got ${seed}`);
  const seconds = positiveNumber(values.seconds ?? String(SEARCH_DEFAULTS.seconds), 'seconds');

  const { model, identity } = floatModel(modelArg);
  const header = model.header;
  const calibration = await readCalibration(calibrationDirs[0], seconds);
  // The SIMD build everywhere (as the quality evaluator): the same seed gives the same search on every runtime.
  const peaks = activationPeaks(model, noisyAtModelRate(calibration, header.sampleRate), { wasmBuild: 'simd' });
  const scalesOf = (bits: BitConfig): QuantScales => scalesFromPeaks(header, peaks, bits);
  const qualityOf = qualityEvaluator(model, calibration, (bits) => quantizeModel(model, bits, scalesOf(bits), meta(model, undefined, 'a search candidate')));

  const showBar = io.stderr.isTTY === true;
  const interrupt = armInterrupt();
  let state;
  try {
    state = await runSearch(header, { model: identity, population, seed, calibration: calibration.description, generations },
      qualityOf, outDir, { signal: interrupt.signal, onProgress: (p) => reportProgress(p, showBar, io) });
  } catch (error) {
    const signal = interrupt.received();
    if (signal === undefined) throw error;
    io.stderr.write(`${showBar ? '\n' : ''}tinyhush: interrupted by ${signal}; the search so far is in `
      + `${join(outDir, 'state.json')}: rerun the same command to continue it\n`);
    return signalExitCode(signal);
  } finally {
    interrupt.disarm();
  }
  if (showBar) io.stderr.write('\n');

  const exits = scoredExits(header.exits.length).join(' and ');
  const report = paretoReport(header, state, `mean SI-SDR in dB over exits ${exits} of ${calibration.description}`, scalesOf);
  const pngProblem = await writeParetoFiles(outDir, report);
  const knee = report.front[report.knee];
  await writeFile(join(outDir, 'knee.thm'), quantizeModel(model, knee.bits, knee.scales,
    meta(model, values.name, `the knee (point ${report.knee}) of its size/quality front`)));
  const w8 = report.homogeneous.find((h) => h.label === 'w8');
  io.stderr.write(`${outDir}: ${state.evaluated.length} configurations scored, ${report.front.length} on the front; `
    + `knee.thm is point ${report.knee}: ${pointSummary(knee)}`
    + (w8 ? ` (w8: ${pointSummary(w8)})` : '') + '\n');
  if (pngProblem !== undefined) io.stderr.write(`note: pareto.png not drawn: ${pngProblem}\n`);
  return EXIT_OK;
}

async function exportFromFront(modelArg: string, values: SearchValues, io: CliIo): Promise<number> {
  const { from, out } = values;
  if (from === undefined || values.point === undefined || out === undefined) {
    throw new UsageError('exporting a front point needs --from FILE (a pareto.json), --point K and --out FILE');
  }
  for (const option of ['out-dir', 'population', 'generations', 'seed', 'seconds', 'calibration'] as const) {
    if (values[option] !== undefined) throw new UsageError(`--${option} is for --search, not with --from`);
  }
  const point = parseIndex(values.point, 'point');
  const { model, identity } = floatModel(modelArg);
  const entry = await readParetoPoint(from, point, identity);
  await writeFile(out, quantizeModel(model, entry.bits, entry.scales, meta(model, values.name, `point ${point} of its size/quality front`)));
  io.stderr.write(`${out}: point ${point} of ${from}, ${pointSummary(entry)}\n`);
  return EXIT_OK;
}

/** Seconds as "45 s", "12 min" or "1.5 h". */
function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** A bar redrawn in place on a terminal; otherwise one line when the search starts and after each generation. */
function reportProgress(p: SearchProgress, showBar: boolean, io: CliIo): void {
  const each = p.evaluatedThisRun > 0 ? p.secondsThisRun / p.evaluatedThisRun : undefined;
  const eta = each === undefined ? '' : `, ${each.toFixed(1)} s each, ETA ≤ ${duration(each * p.remainingAtMost)}`;
  const text = `generation ${p.generation}/${p.generations}, ${p.evaluations} configurations scored${eta}`;
  if (showBar) {
    const done = p.evaluations / Math.max(1, p.evaluations + p.remainingAtMost);
    const filled = Math.round(done * 24);
    io.stderr.write(`\rsearch [${'#'.repeat(filled)}${'-'.repeat(24 - filled)}] ${text}\x1b[K`);
  } else if (p.event !== 'evaluated') {
    io.stderr.write(`search: ${p.event === 'start' ? 'starting, ' : 'finished '}${text}\n`);
  }
}

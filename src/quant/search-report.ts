/**
 * What a search leaves in its output folder: `pareto.json` (every front point with its bit and
 * scale configuration, the homogeneous points scored the same way, every evaluated point, the
 * knee), `pareto.svg` and `pareto.png` (quality against size).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import type { ModelHeader } from '../model/types.js';
import { paretoSvg } from '../plot/pareto-plot.js';
import { svgToPng } from '../plot/svg-to-png.js';
import type { BitConfig } from './bit-config.js';
import { kneeIndex, paretoFront } from './pareto.js';
import type { QuantScales } from './scales.js';
import { searchSpace, type SearchSettings, type SearchState } from './search.js';

/** A configuration with its size, quality, and everything `quantizeModel` needs to export it. */
export interface ParetoEntry {
  sizeBytes: number;
  quality: number;
  bits: BitConfig;
  scales: QuantScales;
}

/** `pareto.json`. */
export interface ParetoReport {
  format: 'tinyhush-pareto';
  version: 1;
  settings: SearchSettings;
  generations: number;
  /** What `quality` measures. */
  quality: string;
  /** How the knee was chosen. */
  kneeRule: string;
  /** Index of the knee in `front`. */
  knee: number;
  /** The Pareto front, smallest model first (export a point with `--from pareto.json --point K`). */
  front: (ParetoEntry & { point: number })[];
  /** The homogeneous configurations (weights `w` bits, activations 16), scored as the front was. */
  homogeneous: (ParetoEntry & { label: string })[];
  /** Every configuration scored (size, quality). */
  evaluated: { sizeBytes: number; quality: number }[];
}

export const KNEE_RULE = 'the front point farthest above the chord joining its smallest and largest points, '
  + 'both axes scaled to the front\'s range (the best-quality point when none lies above it)';

/**
 * The report of a search's state: its front among every evaluated configuration, the knee, the
 * homogeneous references; `scalesOf` gives each exported configuration's scales.
 */
export function paretoReport(header: ModelHeader, state: SearchState, quality: string,
  scalesOf: (bits: BitConfig) => QuantScales): ParetoReport {
  const space = searchSpace(header);
  const entry = ({ genome, sizeBytes, quality: q }: SearchState['evaluated'][number]): ParetoEntry => {
    const bits = space.configOf(genome);
    return { sizeBytes, quality: q, bits, scales: scalesOf(bits) };
  };
  const byGenome = new Map(state.evaluated.map((e) => [e.genome.join(','), e]));
  const front = paretoFront(state.evaluated);
  return {
    format: 'tinyhush-pareto', version: 1, settings: state.settings, generations: state.generation, quality,
    kneeRule: KNEE_RULE, knee: kneeIndex(front),
    front: front.map((e, point) => ({ point, ...entry(e) })),
    homogeneous: space.references.flatMap(({ label, genome }) => {
      const scored = byGenome.get(genome.join(','));
      return scored ? [{ label, ...entry(scored) }] : [];
    }),
    evaluated: state.evaluated.map(({ sizeBytes, quality: q }) => ({ sizeBytes, quality: q })),
  };
}

/** The plot of a report as SVG (sizes in kB). */
export function paretoReportSvg(report: ParetoReport): string {
  const point = (e: { sizeBytes: number; quality: number }) => ({ x: e.sizeBytes / 1000, y: e.quality });
  return paretoSvg({
    title: `Mixed-precision search of ${report.settings.model.name}: ${report.evaluated.length} configurations, `
      + `${report.generations} generations`,
    xLabel: 'model size (kB of tensors)',
    yLabel: 'quality: mean SI-SDR (dB)',
    evaluated: report.evaluated.map(point),
    front: report.front.map(point),
    references: report.homogeneous.map((h) => ({ ...point(h), label: h.label })),
    knee: point(report.front[report.knee]),
  });
}

/**
 * Writes `pareto.json`, `pareto.svg` and `pareto.png` into `dir`; returns why the PNG could not be
 * drawn, or undefined when it was.
 */
export async function writeParetoFiles(dir: string, report: ParetoReport): Promise<string | undefined> {
  const svg = paretoReportSvg(report);
  await writeFile(join(dir, 'pareto.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, 'pareto.svg'), svg);
  try {
    await writeFile(join(dir, 'pareto.png'), await svgToPng(svg));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Point `point` of the front in the `pareto.json` at `path`, checked against the float model it
 * was searched for.
 * @throws InvalidOptionError when the file is not a report, the point does not exist, or the model differs.
 */
export async function readParetoPoint(path: string, point: number, model: { name: string; crc32: string }):
  Promise<ParetoEntry> {
  let report: ParetoReport;
  try {
    report = JSON.parse(await readFile(path, 'utf8')) as ParetoReport;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new InvalidOptionError(`${path} is not JSON: ${error.message}`);
  }
  if (report?.format !== 'tinyhush-pareto' || report.version !== 1 || !Array.isArray(report.front)) {
    throw new InvalidOptionError(`${path} is not a pareto.json written by tinyhush quantize --search`);
  }
  if (report.settings.model.crc32 !== model.crc32) {
    throw new InvalidOptionError(`${path} was searched for model ${report.settings.model.name} (crc32 `
      + `${report.settings.model.crc32}), not this one (${model.name}, crc32 ${model.crc32})`);
  }
  if (!Number.isInteger(point) || point < 0 || point >= report.front.length) {
    throw new InvalidOptionError(`--point must be 0 to ${report.front.length - 1} (the front of ${path}), got ${point}`);
  }
  return report.front[point];
}

/**
 * The mixed-precision search: NSGA-II over a float model's per-operator bit widths
 * (`operatorsOf`), minimising the integer model's size and maximising its quality. The first
 * generation holds the homogeneous configurations (weights 2…8 bits, activations 16), so the front
 * can be compared with them. Every evaluated genome is kept (the same genome is never scored
 * twice), and the state is saved to `dir/state.json` after every evaluation, so a rerun with the
 * same directory continues where the last one stopped, with the same result as an unbroken run.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import type { ModelHeader } from '../model/types.js';
import {
  homogeneousConfig, modelSizeBytes, operatorsOf, withWidths, widthOf, type BitConfig, type Operator,
} from './bit-config.js';
import { startNsga2, stepNsga2, type GeneSpace, type Nsga2Options, type Nsga2State, type Objectives } from './nsga2.js';

/** What defines a search: a resumed search must have the same settings. */
export interface SearchSettings {
  /** The float model: its name and the CRC-32 of its file, so a resume cannot mix models. */
  model: { name: string; crc32: string };
  population: number;
  seed: number;
  /** What quality is measured on (a description the evaluator gives, e.g. its files and mode). */
  calibration: string;
}

/** A search's settings plus how many generations to run (a resume may ask for more). */
export interface SearchOptions extends SearchSettings {
  generations: number;
}

/** One scored configuration: the genome (widths in `operatorsOf` order), its size and quality. */
export interface EvaluatedGenome {
  genome: number[];
  sizeBytes: number;
  quality: number;
}

/** `dir/state.json`. */
export interface SearchState {
  format: 'tinyhush-quant-search';
  version: 1;
  settings: SearchSettings;
  /** Generations finished (0: the initial population is scored). */
  generation: number;
  rngState: number;
  /** Genomes of the current population (scores in `evaluated`); empty before generation 0 ends. */
  population: number[][];
  /** Every configuration scored so far, in evaluation order. */
  evaluated: EvaluatedGenome[];
}

/** Scores one configuration: its quality in dB (higher is better). */
export type QualityOf = (config: BitConfig) => Promise<number>;

/** Where a running search stands; given after every evaluation and every finished generation. */
export interface SearchProgress {
  /** What just happened: `'start'`, a configuration `'evaluated'`, or a `'generation'` finished. */
  event: 'start' | 'evaluated' | 'generation';
  /** The generation being made, or after `'generation'` the one just finished (0: the initial population). */
  generation: number;
  generations: number;
  /** Configurations scored so far (this run and earlier ones). */
  evaluations: number;
  /** Configurations scored in this run, and the seconds they took. */
  evaluatedThisRun: number;
  secondsThisRun: number;
  /** Evaluations a full run still needs at most (cached genomes make it fewer). */
  remainingAtMost: number;
}

/** Options of `runSearch` beyond the search itself. */
export interface RunSearchOptions {
  onProgress?: (progress: SearchProgress) => void;
  /** Stops between two evaluations (the state is saved; a rerun continues). */
  signal?: AbortSignal;
}

/** A quality no configuration is scored below (a broken model would otherwise give −Infinity or NaN). */
export const MIN_QUALITY = -100;

/** Activation width of the homogeneous reference configurations. */
const REFERENCE_ACTIVATION_BITS = 16;
/** Weight widths of the homogeneous reference configurations. */
export const REFERENCE_WEIGHT_BITS = [2, 3, 4, 5, 6, 7, 8] as const;

/** The search space of one model: its operators, how genomes map to configurations, the references. */
export interface SearchSpace extends GeneSpace {
  operators: Operator[];
  configOf(genome: readonly number[]): BitConfig;
  genomeOf(config: BitConfig): number[];
  /** `w2` … `w8`: homogeneous configurations, weights of that width, activations 16 bits. */
  references: { label: string; genome: number[] }[];
}

/** The gene space of `header`'s float model (biases stay 32 bits; tables never wider than their pre-activation). */
export function searchSpace(header: ModelHeader): SearchSpace {
  const operators = operatorsOf(header);
  const base = homogeneousConfig(header, 8, REFERENCE_ACTIVATION_BITS);
  const key = (path: readonly string[]): string => path.join('/');
  const index = new Map(operators.map((op, i) => [key(op.path), i]));
  const caps = operators.map((op) => (op.atMost === undefined ? -1 : index.get(key(op.atMost)) ?? -1));
  const genomeOf = (config: BitConfig): number[] => operators.map((op) => widthOf(config, op));
  return {
    operators,
    genes: operators.map((op) => op.values),
    repair(genome) {
      return genome.map((value, i) => {
        if (caps[i] < 0 || value <= genome[caps[i]]) return value;
        const allowed = operators[i].values.filter((v) => v <= genome[caps[i]]);
        return allowed.length > 0 ? Math.max(...allowed) : Math.min(...operators[i].values);
      });
    },
    configOf: (genome) => withWidths(base, operators, genome),
    genomeOf,
    references: REFERENCE_WEIGHT_BITS.map((w) => ({
      label: `w${w}`, genome: genomeOf(homogeneousConfig(header, w, REFERENCE_ACTIVATION_BITS)),
    })),
  };
}

function sameSettings(a: SearchSettings, b: SearchSettings): boolean {
  return a.model?.name === b.model.name && a.model?.crc32 === b.model.crc32 && a.population === b.population
    && a.seed === b.seed && a.calibration === b.calibration;
}

function describeSettings({ model, population, seed, calibration }: SearchSettings): string {
  return `model ${model.name} (crc32 ${model.crc32}), population ${population}, seed ${seed}, calibration ${calibration}`;
}

/** The state saved in `dir`, or undefined when there is none. */
export async function readSearchState(dir: string): Promise<SearchState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'state.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let state: SearchState;
  try {
    state = JSON.parse(text) as SearchState;
  } catch {
    throw new InvalidOptionError(`${join(dir, 'state.json')} is not valid JSON; remove it to start the search again`);
  }
  if (state?.format !== 'tinyhush-quant-search' || state.version !== 1) {
    throw new InvalidOptionError(`${join(dir, 'state.json')} is not the state of a tinyhush quantization search`);
  }
  return state;
}

/** Writes the state to a temporary file, then renames it, so an interrupted write leaves the old state whole. */
async function saveState(dir: string, state: SearchState): Promise<void> {
  const path = join(dir, 'state.json');
  await writeFile(`${path}.tmp`, `${JSON.stringify(state)}\n`);
  await rename(`${path}.tmp`, path);
}

/**
 * Runs (or continues, when `dir/state.json` exists) the search until `options.generations`
 * generations are done; returns the final state.
 * @throws InvalidOptionError when `dir` holds a search with other settings; the signal's reason
 *   when stopped (the state is saved).
 */
export async function runSearch(header: ModelHeader, options: SearchOptions, qualityOf: QualityOf, dir: string,
  { onProgress, signal }: RunSearchOptions = {}): Promise<SearchState> {
  const { generations, ...settings } = options;
  if (!Number.isInteger(generations) || generations < 0) {
    throw new InvalidOptionError(`generations must be a non-negative integer, got ${generations}`);
  }
  const space = searchSpace(header);
  await mkdir(dir, { recursive: true });
  const saved = await readSearchState(dir);
  if (saved && !sameSettings(saved.settings, settings)) {
    throw new InvalidOptionError(`${dir} holds a search with other settings (${describeSettings(saved.settings)}); `
      + `this one has ${describeSettings(settings)}: use another directory, or the same settings to continue it`);
  }
  const state: SearchState = saved ?? {
    format: 'tinyhush-quant-search', version: 1, settings, generation: 0, rngState: settings.seed, population: [], evaluated: [],
  };
  const scores = new Map(state.evaluated.map((e) => [e.genome.join(','), e]));
  const nsga2Options: Nsga2Options = {
    populationSize: settings.population, seed: settings.seed, seedGenomes: space.references.map((r) => r.genome),
  };
  const started = Date.now();
  let evaluatedThisRun = 0;
  let evaluatedInGeneration = 0;
  const initialSize = Math.max(settings.population, space.references.length);
  const progress = (event: SearchProgress['event']): void => onProgress?.({
    event,
    generation: state.population.length === 0 ? 0 : state.generation + (event === 'generation' ? 0 : 1), generations,
    evaluations: state.evaluated.length, evaluatedThisRun, secondsThisRun: (Date.now() - started) / 1000,
    remainingAtMost: Math.max(0, (state.population.length === 0 ? initialSize + generations * settings.population
      : (generations - state.generation) * settings.population) - evaluatedInGeneration),
  });

  const objectivesOf = (genome: readonly number[]): Objectives => {
    const { sizeBytes, quality } = scores.get(genome.join(','))!;
    return [sizeBytes, -quality];
  };
  // Scores the new genomes one by one, saving after each: an interruption loses only the one running.
  const evaluate = async (genomes: readonly (readonly number[])[]): Promise<Objectives[]> => {
    for (const genome of genomes) {
      const key = genome.join(',');
      if (scores.has(key)) continue;
      signal?.throwIfAborted();
      const config = space.configOf(genome);
      const quality = floored(await qualityOf(config));
      const entry = { genome: [...genome], sizeBytes: modelSizeBytes({ header }, config), quality };
      scores.set(key, entry);
      state.evaluated.push(entry);
      evaluatedThisRun++;
      evaluatedInGeneration++;
      await saveState(dir, state);
      progress('evaluated');
    }
    return genomes.map(objectivesOf);
  };
  const record = async (next: Nsga2State): Promise<void> => {
    state.generation = next.generation;
    state.rngState = next.rngState;
    state.population = next.population.map((i) => [...i.genome]);
    evaluatedInGeneration = 0;
    await saveState(dir, state);
    progress('generation');
  };

  progress('start');
  if (state.population.length === 0) await record(await startNsga2(space, nsga2Options, evaluate));
  while (state.generation < generations) {
    const population = state.population.map((genome) => ({ genome, objectives: objectivesOf(genome) }));
    await record(await stepNsga2(space, { generation: state.generation, rngState: state.rngState, population },
      nsga2Options, evaluate));
  }
  return state;
}

function floored(quality: number): number {
  return Number.isNaN(quality) ? MIN_QUALITY : Math.max(MIN_QUALITY, quality);
}

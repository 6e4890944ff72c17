/**
 * NSGA-II (Deb, Pratap, Agarwal, Meyarivan, "A fast and elitist multiobjective genetic algorithm:
 * NSGA-II", IEEE TEC 2002) over integer genes, each drawn from its own list of allowed values, for
 * two objectives that are both minimised. Fast non-dominated sort, crowding distance, binary
 * tournament by (rank, crowding), uniform crossover, per-gene mutation and elitist (μ + λ)
 * survival. Deterministic given the seed; no I/O: the caller evaluates genomes and saves the state
 * between generations (`startNsga2`, then `stepNsga2` once per generation).
 */
import { InvalidOptionError } from '../errors.js';
import { SeededRandom } from './random.js';

/** Two objective values, both minimised, finite. */
export type Objectives = readonly [number, number];

/** A genome (one value per gene) and its objectives. */
export interface Individual {
  readonly genome: readonly number[];
  readonly objectives: Objectives;
}

/** What the search may choose: the allowed values of every gene, and the rule that makes a genome feasible. */
export interface GeneSpace {
  /** Allowed values of each gene, each list non-empty. */
  readonly genes: readonly (readonly number[])[];
  /** Returns a feasible genome closest to `genome` (default: every genome is feasible). */
  readonly repair?: (genome: number[]) => number[];
}

/** Scores a batch of genomes (in order); may run them in parallel. */
export type Evaluate = (genomes: readonly (readonly number[])[]) => Promise<Objectives[]>;

/** Settings of one run. */
export interface Nsga2Options {
  /** Population size μ = offspring per generation λ (at least 2). */
  populationSize: number;
  /** Seed of the PRNG (an unsigned 32-bit integer). */
  seed: number;
  /** Genomes the first generation evaluates before the random ones (the caller's reference points). */
  seedGenomes?: readonly (readonly number[])[];
  /** Probability that two parents cross over (default 0.9). */
  crossoverRate?: number;
  /** Probability that a gene mutates (default 1 / number of genes). */
  mutationRate?: number;
}

/** Where a run stands after a generation: everything needed to continue it exactly. */
export interface Nsga2State {
  /** Generations of offspring made so far (0: the initial population). */
  generation: number;
  /** The PRNG state to continue from. */
  rngState: number;
  /** The current population (μ individuals). */
  population: Individual[];
}

/** True when `a` is no worse than `b` in both objectives and better in one. */
export function dominates(a: Objectives, b: Objectives): boolean {
  return a[0] <= b[0] && a[1] <= b[1] && (a[0] < b[0] || a[1] < b[1]);
}

/**
 * Deb's fast non-dominated sort: the fronts, best first, each a list of indices into `points` in
 * ascending order. Front 0 is the set no point dominates.
 */
export function nonDominatedSort(points: readonly Objectives[]): number[][] {
  const dominatedBy: number[][] = points.map(() => []);
  const dominatorCount = new Array<number>(points.length).fill(0);
  for (let p = 0; p < points.length; p++) {
    for (let q = p + 1; q < points.length; q++) {
      if (dominates(points[p], points[q])) { dominatedBy[p].push(q); dominatorCount[q]++; }
      else if (dominates(points[q], points[p])) { dominatedBy[q].push(p); dominatorCount[p]++; }
    }
  }
  const fronts: number[][] = [];
  let front = points.map((_, i) => i).filter((i) => dominatorCount[i] === 0);
  while (front.length > 0) {
    fronts.push(front);
    const next: number[] = [];
    for (const p of front) {
      for (const q of dominatedBy[p]) if (--dominatorCount[q] === 0) next.push(q);
    }
    front = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * Crowding distance of each member of `front` (same order): per objective, the extremes get
 * Infinity and the others the normalised gap between their neighbours, summed over objectives.
 */
export function crowdingDistances(points: readonly Objectives[], front: readonly number[]): number[] {
  const distance = new Array<number>(front.length).fill(0);
  for (const m of [0, 1]) {
    const order = front.map((_, k) => k).sort((a, b) => points[front[a]][m] - points[front[b]][m] || a - b);
    const low = points[front[order[0]]][m];
    const high = points[front[order[order.length - 1]]][m];
    distance[order[0]] = Infinity;
    distance[order[order.length - 1]] = Infinity;
    if (high === low) continue;
    for (let k = 1; k < order.length - 1; k++) {
      distance[order[k]] += (points[front[order[k + 1]]][m] - points[front[order[k - 1]]][m]) / (high - low);
    }
  }
  return distance;
}

/** Rank (front number) and crowding distance of every point. */
export function rankAndCrowding(points: readonly Objectives[]): { rank: number[]; crowding: number[] } {
  const rank = new Array<number>(points.length).fill(0);
  const crowding = new Array<number>(points.length).fill(0);
  nonDominatedSort(points).forEach((front, r) => {
    const distances = crowdingDistances(points, front);
    front.forEach((i, k) => { rank[i] = r; crowding[i] = distances[k]; });
  });
  return { rank, crowding };
}

/**
 * Elitist survival: the best `size` of `candidates` by front, the last front cut by crowding
 * distance (largest first). Distinct genomes go first, so that copies of one configuration do not
 * crowd out the others in a discrete space; copies fill in only when too few are distinct.
 */
export function survivors(candidates: readonly Individual[], size: number): Individual[] {
  const seen = new Set<string>();
  const distinct: Individual[] = [];
  const copies: Individual[] = [];
  for (const candidate of candidates) {
    const key = candidate.genome.join(',');
    (seen.has(key) ? copies : distinct).push(candidate);
    seen.add(key);
  }
  return [...bestByFront(distinct, size), ...copies.slice(0, Math.max(0, size - distinct.length))];
}

/** The best `size` individuals (all of them when there are fewer) by rank, then crowding distance. */
function bestByFront(individuals: readonly Individual[], size: number): Individual[] {
  const points = individuals.map((i) => i.objectives);
  const chosen: Individual[] = [];
  for (const front of nonDominatedSort(points)) {
    if (chosen.length + front.length <= size) {
      chosen.push(...front.map((i) => individuals[i]));
      continue;
    }
    const distances = crowdingDistances(points, front);
    const byCrowding = front.map((_, k) => k).sort((a, b) => distances[b] - distances[a] || a - b);
    chosen.push(...byCrowding.slice(0, size - chosen.length).map((k) => individuals[front[k]]));
    break;
  }
  return chosen;
}

/** A genome with every gene drawn uniformly from its allowed values, then repaired. */
export function randomGenome(space: GeneSpace, rng: SeededRandom): number[] {
  return repaired(space, space.genes.map((values) => rng.pick(values)));
}

/**
 * `count` offspring of `population`: parents by binary tournament on (rank, crowding distance),
 * uniform crossover with probability `crossoverRate`, then each gene mutated with probability
 * `mutationRate` to another of its allowed values, then repaired.
 */
export function makeOffspring(space: GeneSpace, population: readonly Individual[], count: number, rng: SeededRandom,
  { crossoverRate, mutationRate }: { crossoverRate: number; mutationRate: number }): number[][] {
  const { rank, crowding } = rankAndCrowding(population.map((i) => i.objectives));
  const tournament = (): readonly number[] => {
    const a = rng.below(population.length);
    const b = rng.below(population.length);
    const better = rank[b] < rank[a] || (rank[b] === rank[a] && crowding[b] > crowding[a]) ? b : a;
    return population[better].genome;
  };
  const children: number[][] = [];
  while (children.length < count) {
    const first = [...tournament()];
    const second = [...tournament()];
    if (rng.next() < crossoverRate) {
      for (let g = 0; g < first.length; g++) {
        if (rng.next() < 0.5) [first[g], second[g]] = [second[g], first[g]];
      }
    }
    for (const child of [first, second]) {
      mutate(space, child, rng, mutationRate);
      if (children.length < count) children.push(repaired(space, child));
    }
  }
  return children;
}

function mutate(space: GeneSpace, genome: number[], rng: SeededRandom, rate: number): void {
  space.genes.forEach((values, g) => {
    if (values.length < 2 || rng.next() >= rate) return;
    const others = values.filter((v) => v !== genome[g]);
    genome[g] = rng.pick(others);
  });
}

function repaired(space: GeneSpace, genome: number[]): number[] {
  return space.repair ? space.repair(genome) : genome;
}

function checkOptions(space: GeneSpace, options: Nsga2Options): void {
  const { populationSize, seed, seedGenomes = [] } = options;
  if (!Number.isInteger(populationSize) || populationSize < 2) {
    throw new InvalidOptionError(`population size must be an integer of at least 2, got ${populationSize}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidOptionError(`seed must be an integer from 0 to ${0xffffffff}, got ${seed}`);
  }
  if (space.genes.length === 0 || space.genes.some((values) => values.length === 0)) {
    throw new InvalidOptionError('every gene needs at least one allowed value, and there must be a gene');
  }
  for (const genome of seedGenomes) {
    if (genome.length !== space.genes.length || genome.some((v, g) => !space.genes[g].includes(v))) {
      throw new InvalidOptionError(`seed genome ${genome.join(',')} does not fit the gene space`);
    }
  }
}

async function evaluated(genomes: readonly (readonly number[])[], evaluate: Evaluate): Promise<Individual[]> {
  const objectives = await evaluate(genomes);
  return genomes.map((genome, i) => ({ genome, objectives: objectives[i] }));
}

/**
 * Generation 0: evaluates the seed genomes and enough random ones to make `populationSize`
 * (all the seed genomes even when they are more), and keeps the best `populationSize`.
 */
export async function startNsga2(space: GeneSpace, options: Nsga2Options, evaluate: Evaluate): Promise<Nsga2State> {
  checkOptions(space, options);
  const rng = new SeededRandom(options.seed);
  const genomes = (options.seedGenomes ?? []).map((genome) => repaired(space, [...genome]));
  while (genomes.length < options.populationSize) genomes.push(randomGenome(space, rng));
  const population = survivors(await evaluated(genomes, evaluate), options.populationSize);
  return { generation: 0, rngState: rng.state, population };
}

/** One generation: `populationSize` offspring, evaluated, then (μ + λ) survival. */
export async function stepNsga2(space: GeneSpace, state: Nsga2State, options: Nsga2Options, evaluate: Evaluate):
  Promise<Nsga2State> {
  checkOptions(space, options);
  const rng = new SeededRandom(state.rngState);
  const children = makeOffspring(space, state.population, options.populationSize, rng, {
    crossoverRate: options.crossoverRate ?? 0.9,
    mutationRate: options.mutationRate ?? 1 / space.genes.length,
  });
  const offspring = await evaluated(children, evaluate);
  const population = survivors([...state.population, ...offspring], options.populationSize);
  return { generation: state.generation + 1, rngState: rng.state, population };
}

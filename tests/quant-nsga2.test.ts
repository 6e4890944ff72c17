import { describe, expect, test } from '@jest/globals';
import { InvalidOptionError } from '../src/errors.js';
import {
  crowdingDistances, dominates, makeOffspring, nonDominatedSort, rankAndCrowding, startNsga2, stepNsga2, survivors,
  type Evaluate, type GeneSpace, type Individual, type Nsga2Options, type Nsga2State, type Objectives,
} from '../src/quant/nsga2.js';
import { SeededRandom } from '../src/quant/random.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * A discrete ZDT1: x0 ∈ {0…10} gives f1 = x0 / 10; x1…x4 ∈ {0…10} give g = 1 + 9 Σ / 40 and
 * f2 = g (1 − √(f1 / g)). Its Pareto front is x1…x4 = 0: 11 points, f2 = 1 − √f1.
 */
const ZDT: GeneSpace = { genes: range(5).map(() => range(11)) };
const zdt: Evaluate = async (genomes) => genomes.map(([x0, ...rest]) => {
  const f1 = x0 / 10;
  const g = 1 + (9 * rest.reduce((a, b) => a + b, 0)) / 40;
  return [f1, g * (1 - Math.sqrt(f1 / g))] as const;
});

async function run(space: GeneSpace, options: Nsga2Options, evaluate: Evaluate, generations: number,
  from?: Nsga2State): Promise<Nsga2State> {
  let state = from ?? await startNsga2(space, options, evaluate);
  while (state.generation < generations) state = await stepNsga2(space, state, options, evaluate);
  return state;
}

const individual = (objectives: Objectives, genome: number[] = [objectives[0], objectives[1]]): Individual =>
  ({ genome, objectives });

describe('sorting and crowding', () => {
  // (2,4) and (3,3) are dominated by (2,3) only; (4,4) also by them.
  const points: Objectives[] = [[1, 5], [2, 3], [3, 1], [2, 4], [4, 4], [3, 3]];

  test('dominance needs no worse in both and better in one', () => {
    expect(dominates([1, 1], [1, 2])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([1, 3], [2, 2])).toBe(false);
  });

  test('fast non-dominated sort finds the fronts of hand-made points', () => {
    expect(nonDominatedSort(points)).toEqual([[0, 1, 2], [3, 5], [4]]);
    expect(nonDominatedSort([])).toEqual([]);
  });

  test('crowding distance: extremes infinite, inner points the normalised gaps of their neighbours', () => {
    expect(crowdingDistances(points, [0, 1, 2])).toEqual([Infinity, 2, Infinity]);
    // Front (0,10), (1,6), (3,5), (10,0): inner gaps (3-0)/10 + (10-5)/10 and (10-1)/10 + (6-0)/10.
    const front: Objectives[] = [[0, 10], [1, 6], [3, 5], [10, 0]];
    const distances = crowdingDistances(front, [0, 1, 2, 3]);
    expect([distances[0], distances[3]]).toEqual([Infinity, Infinity]);
    expect(distances[1]).toBeCloseTo(0.8, 12);
    expect(distances[2]).toBeCloseTo(1.5, 12);
    expect(rankAndCrowding(points).rank).toEqual([0, 0, 0, 1, 2, 1]);
  });

  test('survival keeps whole fronts, cuts the last by crowding, and puts copies last', () => {
    const front: Objectives[] = [[0, 10], [1, 6], [3, 5], [10, 0]];
    const kept = survivors([individual([5, 5]), ...front.map((p) => individual(p))], 3);
    expect(kept.map((i) => i.objectives)).toEqual([[0, 10], [10, 0], [3, 5]]);
    const copy = individual([0, 0], [7, 7]);
    const withCopies = survivors([copy, copy, individual([9, 9])], 3);
    expect(withCopies).toEqual([copy, individual([9, 9]), copy]);
  });
});

describe('variation', () => {
  const population = [individual([0, 1], [0, 1]), individual([1, 0], [1, 0])];
  const space: GeneSpace = { genes: [range(8), range(8)] };

  test('without crossover and mutation, children are copies of their parents', () => {
    const children = makeOffspring(space, population, 6, new SeededRandom(1), { crossoverRate: 0, mutationRate: 0 });
    expect(children).toHaveLength(6);
    for (const child of children) expect([[0, 1], [1, 0]]).toContainEqual(child);
  });

  test('mutation only draws allowed values, and repair makes every child feasible', () => {
    const sparse: GeneSpace = {
      genes: [[2, 4, 8], [2, 4, 8]],
      repair: ([a, b]) => [a, Math.max(a, b)],
    };
    const parents = [individual([0, 0], [2, 8]), individual([1, 1], [8, 8])];
    const children = makeOffspring(sparse, parents, 200, new SeededRandom(3), { crossoverRate: 0.9, mutationRate: 0.5 });
    for (const [a, b] of children) {
      expect([2, 4, 8]).toContain(a);
      expect(b).toBeGreaterThanOrEqual(a);
    }
    expect(new Set(children.map((c) => c.join(','))).size).toBeGreaterThan(3);
  });
});

describe('the whole algorithm', () => {
  const options: Nsga2Options = { populationSize: 16, seed: 42 };

  test('finds the whole Pareto front of a discrete ZDT1', async () => {
    const final = await run(ZDT, options, zdt, 60);
    const firstFront = nonDominatedSort(final.population.map((i) => i.objectives))[0]
      .map((i) => final.population[i].genome);
    const found = new Set(firstFront.filter((g) => g.slice(1).every((x) => x === 0)).map((g) => g[0]));
    expect([...found].sort((a, b) => a - b)).toEqual(range(11));
  });

  test('is deterministic for a seed, and a run resumed from saved state equals an unbroken one', async () => {
    const whole = await run(ZDT, options, zdt, 5);
    expect(await run(ZDT, options, zdt, 5)).toEqual(whole);
    const saved = JSON.parse(JSON.stringify(await run(ZDT, options, zdt, 2))) as Nsga2State;
    expect(await run(ZDT, options, zdt, 5, saved)).toEqual(whole);
    expect(await run(ZDT, { ...options, seed: 43 }, zdt, 5)).not.toEqual(whole);
  });

  test('generation 0 evaluates every seed genome first, even more of them than the population', async () => {
    const seen: (readonly number[])[] = [];
    const recording: Evaluate = (genomes) => { seen.push(...genomes); return zdt(genomes); };
    const seeds = range(4).map((x) => [x, 0, 0, 0, 0]);
    await startNsga2(ZDT, { populationSize: 2, seed: 1, seedGenomes: seeds }, recording);
    expect(seen).toEqual(seeds);
    await startNsga2(ZDT, { populationSize: 6, seed: 1, seedGenomes: seeds }, recording);
    expect(seen.slice(4, 8)).toEqual(seeds);
    expect(seen).toHaveLength(10);
  });

  test('bad settings are typed errors', async () => {
    await expect(startNsga2(ZDT, { populationSize: 1, seed: 1 }, zdt)).rejects.toThrow(InvalidOptionError);
    await expect(startNsga2(ZDT, { populationSize: 4, seed: -1 }, zdt)).rejects.toThrow(InvalidOptionError);
    await expect(startNsga2(ZDT, { populationSize: 4, seed: 1, seedGenomes: [[11, 0, 0, 0, 0]] }, zdt))
      .rejects.toThrow(InvalidOptionError);
  });
});

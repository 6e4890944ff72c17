/**
 * Per-layer sparsity allocation (src/prune/sensitivity.ts) on made-up curves: interpolation, the
 * cheap layer pruned first, the exact target, and a target beyond reach.
 */
import { InvalidOptionError } from '../src/errors.js';
import type { PrunableLayer, WeightAccount } from '../src/prune/plan.js';
import { allocate, dropAt, itemsAt, type SensitivityCurve } from '../src/prune/sensitivity.js';

const curve = (drops: number[]): SensitivityCurve => ({ sparsities: [0.5, 0.75, 0.9, 0.95, 0.98], drops });

/** Each item one weight. */
const linear = (layers: PrunableLayer[]): WeightAccount => ({
  total: layers.reduce((n, l) => n + l.items, 0),
  removed: (plan) => layers.reduce((n, l) => n + Math.max(plan[l.name] ?? 0, l.zeroItems), 0),
  feasible: () => true,
});

test('dropAt is linear from (0, 0) through the points and flat after the last', () => {
  const c = curve([1, 2, 4, 8, 16]);
  expect(dropAt(c, 0)).toBe(0);
  expect(dropAt(c, 0.25)).toBeCloseTo(0.5);
  expect(dropAt(c, 0.6)).toBeCloseTo(1.4);
  expect(dropAt(c, 0.93)).toBeCloseTo(6.4);
  expect(dropAt(c, 0.99)).toBe(16);
});

test('itemsAt keeps at least one item and drops at least the zeros', () => {
  expect(itemsAt({ name: 'a', items: 10, zeroItems: 0 }, 0.98)).toBe(9);
  expect(itemsAt({ name: 'a', items: 100, zeroItems: 30 }, 0.25)).toBe(30);
});

test('the layer whose curve is flat is pruned to its last sparsity before the steep one loses anything', () => {
  const layers = [{ name: 'steep', items: 1000, zeroItems: 0 }, { name: 'flat', items: 1000, zeroItems: 0 }];
  const curves = { steep: curve([5, 10, 20, 30, 40]), flat: curve([0.01, 0.02, 0.03, 0.04, 0.05]) };
  expect(allocate(layers, curves, linear(layers), 900)).toEqual({ steep: 0, flat: 900 });
  const plan = allocate(layers, curves, linear(layers), 1500);
  expect(plan.flat).toBe(980);
  expect(plan.steep).toBe(520);
});

test('the target is met exactly, zero items count as removed, and a small layer is weighed by weights not share', () => {
  const layers = [{ name: 'big', items: 10000, zeroItems: 500 }, { name: 'small', items: 100, zeroItems: 0 }];
  // Per weight removed, the big layer is 100× cheaper at equal drops per share.
  const curves = { big: curve([1, 2, 3, 4, 5]), small: curve([1, 2, 3, 4, 5]) };
  const plan = allocate(layers, curves, linear(layers), 4321);
  expect(plan).toEqual({ big: 4321, small: 0 });
  expect(allocate(layers, curves, linear(layers), 300)).toEqual({ big: 500, small: 0 });
});

test('steps to infeasible plans are not taken; an empty curve (no feasible point) leaves its layer whole', () => {
  const layers = [{ name: 'a', items: 100, zeroItems: 0 }, { name: 'b', items: 100, zeroItems: 0 }, { name: 'c', items: 100, zeroItems: 0 }];
  const account = { ...linear(layers), feasible: (plan: Record<string, number>) => (plan.a ?? 0) <= 30 };
  const curves = { a: curve([0, 0, 0, 0, 0]), b: curve([1, 2, 3, 4, 5]), c: { sparsities: [], drops: [] } };
  expect(allocate(layers, curves, account, 50)).toEqual({ a: 30, b: 20, c: 0 });
});

test('a target beyond every layer at its last sparsity is an InvalidOptionError', () => {
  const layers = [{ name: 'a', items: 100, zeroItems: 0 }];
  expect(() => allocate(layers, { a: curve([0, 0, 0, 0, 0]) }, linear(layers), 99)).toThrow(InvalidOptionError);
});

/**
 * Per-layer sensitivity: the quality drop when one layer alone is pruned at a few sparsities, and
 * the per-layer sparsities that reach the model's target with the least summed drop (greedy on the
 * measured curves, linear between their points).
 */
import { InvalidOptionError } from '../errors.js';
import type { EditableModel } from './editable.js';
import type { PruneKind } from './magnitude.js';
import { applyPlan, type PrunableLayer, type PrunePlan, type WeightAccount } from './plan.js';

/** The sparsities (share of a layer's items) each layer is measured at; the last is the most a layer is pruned. */
export const SENSITIVITY_GRID: readonly number[] = [0.5, 0.75, 0.9, 0.95, 0.98];

/** Quality drop (dB, base − pruned) of one layer pruned alone, at `sparsities` (ascending). */
export interface SensitivityCurve {
  sparsities: number[];
  drops: number[];
}

/** Measured curves and what they were measured on (reused only where all of it matches). */
export interface Sensitivity {
  model: string;
  kind: PruneKind;
  calibration: string;
  /** Quality of the unpruned model, dB. */
  base: number;
  layers: Record<string, SensitivityCurve>;
}

/** Items of a layer pruned at share `sparsity` of them (never fewer than its zeros, never all of them). */
export function itemsAt(layer: PrunableLayer, sparsity: number): number {
  return Math.min(layer.items - 1, Math.max(layer.zeroItems, Math.round(sparsity * layer.items)));
}

/**
 * Measures every layer's curve: `evaluate` scores a pruned model (dB); `progress` hears each
 * measurement (`done` of `total`). A curve ends before the first sparsity whose model `feasible`
 * rejects (unit pruning that would make a later exit cheaper than an earlier one).
 */
export async function measureSensitivity(model: EditableModel, kind: PruneKind, layers: readonly PrunableLayer[],
  evaluate: (pruned: EditableModel) => Promise<number>, base: number, feasible: (plan: PrunePlan) => boolean = () => true,
  progress: (layer: string, sparsity: number, drop: number, done: number, total: number) => void = () => {}):
  Promise<Record<string, SensitivityCurve>> {
  const curves: Record<string, SensitivityCurve> = {};
  const total = layers.length * SENSITIVITY_GRID.length;
  let done = 0;
  for (const layer of layers) {
    const drops: number[] = [];
    const sparsities: number[] = [];
    for (const sparsity of SENSITIVITY_GRID) {
      const plan = { [layer.name]: itemsAt(layer, sparsity) };
      if (!feasible(plan)) break;
      const drop = base - await evaluate(applyPlan(model, kind, plan));
      sparsities.push(sparsity);
      drops.push(drop);
      progress(layer.name, sparsity, drop, ++done, total);
    }
    curves[layer.name] = { sparsities, drops };
  }
  return curves;
}

/** The drop a curve predicts at `sparsity`: linear between (0, 0) and its points, flat after the last. */
export function dropAt(curve: SensitivityCurve, sparsity: number): number {
  let [s0, d0] = [0, 0];
  for (let i = 0; i < curve.sparsities.length; i++) {
    const [s1, d1] = [curve.sparsities[i], curve.drops[i]];
    if (sparsity <= s1) return d0 + ((d1 - d0) * (sparsity - s0)) / (s1 - s0);
    [s0, d0] = [s1, d1];
  }
  return d0;
}

/** Share of a layer's items a greedy step adds. */
const STEP = 0.01;

/**
 * Per-layer item counts that remove at least `target` weights of `account` (exactly `target` where
 * each item is a fixed number of weights and `target` a multiple of it): starting from each
 * layer's zero items, the step (1 % of a layer's items, the last one cut to the target) with the
 * least predicted drop per weight removed is taken, up to each curve's last sparsity, among the
 * steps whose plan `account.feasible` accepts.
 * @throws InvalidOptionError when the target lies beyond every layer at its last sparsity.
 */
export function allocate(layers: readonly PrunableLayer[], curves: Record<string, SensitivityCurve>,
  account: WeightAccount, target: number): PrunePlan {
  const plan: PrunePlan = Object.fromEntries(layers.map((l) => [l.name, l.zeroItems]));
  const cap = (l: PrunableLayer): number => itemsAt(l, curves[l.name].sparsities.at(-1) ?? 0);
  const drop = (l: PrunableLayer, count: number): number => dropAt(curves[l.name], count / l.items);
  let removed = account.removed(plan);
  while (removed < target) {
    let best: { layer: PrunableLayer; count: number; cost: number } | undefined;
    for (const layer of layers) {
      const count = Math.min(cap(layer), plan[layer.name] + Math.max(1, Math.ceil(STEP * layer.items)));
      const gained = account.removed({ ...plan, [layer.name]: count }) - removed;
      if (gained <= 0 || !account.feasible({ ...plan, [layer.name]: count })) continue;
      const cost = (drop(layer, count) - drop(layer, plan[layer.name])) / gained;
      if (best === undefined || cost < best.cost) best = { layer, count, cost };
    }
    if (best === undefined) {
      throw new InvalidOptionError(`sparsity cannot be reached: the prunable layers at their most (at most ${SENSITIVITY_GRID.at(-1)! * 100} % `
        + `of their items, the exits still cheapest first) remove ${removed} of the ${account.total} weights`);
    }
    const { layer } = best;
    let { count } = best;
    // The last step: the fewest items that reach the target.
    while (count - 1 > plan[layer.name] && account.removed({ ...plan, [layer.name]: count - 1 }) >= target) count--;
    plan[layer.name] = count;
    removed = account.removed(plan);
  }
  return plan;
}

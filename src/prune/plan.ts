/**
 * A pruning plan (how many items of each layer go) for each kind: which layers take part, how many
 * weights a plan removes, and the pruned model it makes.
 */
import { layerMacs } from '../model/macs.js';
import type { IntLayerSpec, ModelHeader } from '../model/types.js';
import { copyModel, intLayers, layerNamed, type EditableModel } from './editable.js';
import { BLOCK, itemScores, smallestFirst, zeroItems, zeroSmallest, type PruneKind } from './magnitude.js';
import { removeUnits, unitCount, unitPrunableLayers } from './unit.js';

/** Items (weights, 4×4 blocks or units) to remove, by layer name; layers not named keep everything. */
export type PrunePlan = Record<string, number>;

/** A layer that a kind may prune: its items, and how many of them are zero already (free to drop). */
export interface PrunableLayer {
  name: string;
  items: number;
  zeroItems: number;
}

/**
 * The layers `kind` prunes in `model`:
 * - weight: every layer, the 161-output mask layers included (the sensitivity curves decide how far);
 * - block: every layer too, on the 4×4 grid from row and column 0 (a 161-wide side ends in partial
 *   blocks, which the block-sparse format pads with zeros);
 * - unit: every layer but the exits' masks and the speech-presence output, whose outputs are fixed.
 */
export function prunableLayers(model: EditableModel, kind: PruneKind): PrunableLayer[] {
  const layers = kind === 'unit' ? unitPrunableLayers(model.header) : intLayers(model.header);
  return layers.map((layer) => {
    const scores = itemScores(model, layer, kind);
    return { name: layer.name, items: scores.length, zeroItems: kind === 'unit' ? 0 : zeroItems(scores) };
  });
}

/** Weights of every matrix of a model with these layer shapes. */
function weightTotal(layers: readonly IntLayerSpec[]): number {
  return layers.reduce((sum, l) => sum + (l.op === 'gru-int' ? 3 * l.hidden * (l.in + l.hidden) : l.out * l.in), 0);
}

/** The layer shapes after removing `plan`'s units (a unit of layer L also removes L's column in its readers). */
function shapesAfterUnits(header: Pick<ModelHeader, 'layers'>, plan: PrunePlan): IntLayerSpec[] {
  return (header.layers as IntLayerSpec[]).map((l) => {
    const inputs = l.in - (plan[l.input] ?? 0);
    return l.op === 'gru-int' ? { ...l, in: inputs, hidden: l.hidden - (plan[l.name] ?? 0) } : { ...l, in: inputs, out: l.out - (plan[l.name] ?? 0) };
  });
}

/** What the sparsity of a kind counts: the prunable weights, and how many a plan removes. */
export interface WeightAccount {
  /** Weights the sparsity is a fraction of. */
  total: number;
  removed(plan: PrunePlan): number;
  /** Whether the model of `plan` is a valid file: unit pruning must keep the exits cheapest first. */
  feasible(plan: PrunePlan): boolean;
}

/** Whether the exits of a model with these layer shapes still cost more MACs one after another (the format's rule). */
function exitsInOrder(header: Pick<ModelHeader, 'exits'>, layers: readonly IntLayerSpec[]): boolean {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const costs = header.exits.map((exit) => exit.layers.reduce((sum, name) => sum + layerMacs(byName.get(name)!), 0));
  return costs.every((cost, i) => i === 0 || cost >= costs[i - 1]);
}

/**
 * The weight account of `kind`: weight and block count the weights of the prunable layers and the
 * zeroed weights (16 per block: a partial edge block counts as a whole one, so block sparsity is
 * the share of grid blocks removed); unit counts every weight of the model and those that leave it
 * (units' rows and their readers' columns).
 */
export function weightAccount(model: EditableModel, kind: PruneKind, layers: readonly PrunableLayer[]): WeightAccount {
  if (kind === 'unit') {
    const total = weightTotal(model.header.layers as IntLayerSpec[]);
    return {
      total,
      removed: (plan) => total - weightTotal(shapesAfterUnits(model.header, plan)),
      feasible: (plan) => exitsInOrder(model.header, shapesAfterUnits(model.header, plan)),
    };
  }
  const perItem = kind === 'block' ? BLOCK * BLOCK : 1;
  return {
    total: layers.reduce((sum, l) => sum + l.items * perItem, 0),
    removed: (plan) => layers.reduce((sum, l) => sum + Math.max(plan[l.name] ?? 0, l.zeroItems) * perItem, 0),
    feasible: () => true,
  };
}

/**
 * The model `plan` makes of `model` (a copy): weight and block kinds zero the codes of each layer's
 * smallest items (the dense form the engine runs; `write.ts` stores it sparse); unit removes each
 * layer's weakest units, layer by layer in execution order, ranked on the model as pruned so far.
 */
export function applyPlan(model: EditableModel, kind: PruneKind, plan: PrunePlan): EditableModel {
  let pruned = copyModel(model);
  for (const { name } of model.header.layers) {
    const count = plan[name] ?? 0;
    if (count <= 0) continue;
    const layer = layerNamed(pruned, name);
    if (kind === 'unit') {
      const order = smallestFirst(itemScores(pruned, layer, 'unit'));
      pruned = removeUnits(pruned, name, Array.from(order.subarray(0, Math.min(count, unitCount(layer) - 1))));
    } else {
      zeroSmallest(pruned, layer, kind, count);
    }
  }
  return pruned;
}

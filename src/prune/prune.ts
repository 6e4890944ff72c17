/**
 * Offline magnitude pruning of an integer model with per-layer sensitivity (issue 15's baseline):
 * measure (or reuse) each layer's quality curve, allocate per-layer sparsities for the target,
 * prune by magnitude and write the file.
 */
import { InvalidOptionError } from '../errors.js';
import type { Model } from '../model/types.js';
import { editableModel, type EditableModel } from './editable.js';
import type { PruneKind } from './magnitude.js';
import { applyPlan, prunableLayers, weightAccount, type PrunableLayer, type PrunePlan } from './plan.js';
import { allocate, measureSensitivity, SENSITIVITY_GRID, type Sensitivity } from './sensitivity.js';
import { denseFile, sparseFile } from './write.js';

/** What `pruneModel` needs besides the model. */
export interface PruneOptions {
  kind: PruneKind;
  /** Share of the prunable weights to remove, in (0, 1). */
  sparsity: number;
  /** Quality (dB) of a model file on the calibration audio. */
  evaluate: (file: Uint8Array) => Promise<number>;
  /** What the calibration audio is: recorded with the curves, which are reused only on the same audio. */
  calibration: string;
  /** Curves measured before (used when model, kind and calibration match; else measured again). */
  sensitivity?: Sensitivity;
  /** Hears each sensitivity measurement. */
  progress?: (layer: string, sparsity: number, drop: number, done: number, total: number) => void;
  name?: string;
}

/** The pruned model and how it was made. */
export interface PruneResult {
  file: Uint8Array;
  /** The same model with dense (zeroed) weights, which the engine runs before it loads sparse tensors. */
  denseFile: Uint8Array;
  sensitivity: Sensitivity;
  /** Whether `sensitivity` was measured in this call (rather than reused). */
  measured: boolean;
  layers: readonly PrunableLayer[];
  plan: PrunePlan;
  /** Share of the prunable weights removed. */
  sparsity: number;
}

/** Checks a target sparsity. @throws InvalidOptionError outside (0, 1). */
export function checkSparsity(sparsity: number): number {
  if (!(sparsity > 0 && sparsity < 1)) throw new InvalidOptionError(`sparsity must lie strictly between 0 and 1, got ${sparsity}`);
  return sparsity;
}

function reusable(s: Sensitivity | undefined, model: EditableModel, kind: PruneKind, calibration: string,
  layers: readonly PrunableLayer[]): s is Sensitivity {
  return s !== undefined && s.model === model.header.name && s.kind === kind && s.calibration === calibration
    && layers.every((l) => Array.isArray(s.layers[l.name]?.sparsities));
}

/** The integer model `model` pruned to `options.sparsity` of its prunable weights. */
export async function pruneModel(model: Model, options: PruneOptions): Promise<PruneResult> {
  const { kind, calibration } = options;
  const sparsity = checkSparsity(options.sparsity);
  const original = editableModel(model);
  const layers = prunableLayers(original, kind);
  const account = weightAccount(original, kind, layers);
  const measured = !reusable(options.sensitivity, original, kind, calibration, layers);
  let sensitivity = options.sensitivity as Sensitivity;
  if (measured) {
    const base = await options.evaluate(model.bytes);
    const evaluate = (pruned: EditableModel): Promise<number> => options.evaluate(denseFile(pruned));
    const curves = await measureSensitivity(original, kind, layers, evaluate, base, account.feasible, options.progress);
    sensitivity = { model: original.header.name, kind, calibration, base, layers: curves };
  }
  const perItem = kind === 'block' ? 16 : 1;
  const target = perItem * Math.round((sparsity * account.total) / perItem);
  const plan = allocate(layers, sensitivity.layers, account, target);
  const pruned = applyPlan(original, kind, plan);
  const shares = Object.fromEntries(layers.map((l) => [l.name, Number((plan[l.name] / l.items).toFixed(4))]));
  const achieved = account.removed(plan) / account.total;
  const { header } = model;
  pruned.header.name = options.name ?? `${header.name}-${kind}${Math.round(100 * sparsity)}`;
  pruned.header.description = `${header.description} Pruned: ${kind}, ${(100 * achieved).toFixed(1)} % (tinyhush prune).`;
  pruned.header.provenance = {
    ...header.provenance,
    pruning: { from: header.name, kind, sparsity: achieved, method: 'magnitude, per-layer sensitivity', grid: SENSITIVITY_GRID, layers: shares },
  };
  const dense = denseFile(pruned);
  const names = layers.map((l) => l.name);
  const file = kind === 'unit' ? dense : sparseFile(pruned, names, kind === 'weight' ? 'csr' : 'block-sparse');
  return { file, denseFile: dense, sensitivity, measured, layers, plan, sparsity: achieved };
}

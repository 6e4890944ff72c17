/**
 * Unit pruning: whole GRU units or dense output neurons removed, exported as smaller dense integer
 * layers. Every tensor of a unit goes (its rows in each matrix, its scale, bias, multiplier and
 * shift; for a GRU also its column of the three hidden matrices and its place in the state), and
 * so do the matching input columns of every layer that reads it. Multipliers, shifts and scales
 * are per row, so the rows kept requantize exactly as before.
 */
import type { PackedTensorData, TensorData } from '../model/encode-tensor.js';
import type { IntLayerSpec, ModelHeader } from '../model/types.js';
import { weightNames, type EditableModel } from './editable.js';

/** Layers whose units may go: integer layers that are no exit's mask and not the speech-presence output. */
export function unitPrunableLayers(header: Pick<ModelHeader, 'layers' | 'exits' | 'speechPresence'>): IntLayerSpec[] {
  const outputs = new Set([...header.exits.map((exit) => exit.output), ...(header.speechPresence ? [header.speechPresence.output] : [])]);
  return (header.layers as IntLayerSpec[]).filter((layer) => !outputs.has(layer.name));
}

/** Number of units (output rows) of `layer`. */
export function unitCount(layer: IntLayerSpec): number {
  return layer.op === 'gru-int' ? layer.hidden : layer.out;
}

type Values = ArrayLike<number>;

/** Rows `keep` of a row-major `[rows, cols]` array, as an array of `like`'s type. */
function pickRows<T extends Values>(values: T, cols: number, keep: readonly number[]): T {
  const out = new (values.constructor as new (n: number) => T & { [i: number]: number })(keep.length * cols);
  keep.forEach((r, i) => { for (let c = 0; c < cols; c++) out[i * cols + c] = values[r * cols + c]; });
  return out;
}

/** Columns `keep` of a row-major `[rows, cols]` array. */
function pickCols<T extends Values>(values: T, rows: number, cols: number, keep: readonly number[]): T {
  const out = new (values.constructor as new (n: number) => T & { [i: number]: number })(rows * keep.length);
  for (let r = 0; r < rows; r++) keep.forEach((c, j) => { out[r * keep.length + j] = values[r * cols + c]; });
  return out;
}

/** Tensor `name` with rows `keep` (per-row tensors: rows of a `[rows]` or `[groups, rows]` vector, per group). */
function keepRows(tensors: Record<string, TensorData>, name: string, keep: readonly number[], groups = 1): void {
  const t = tensors[name];
  const cols = t.shape.length === 2 && groups === 1 ? t.shape[1] : 1;
  const rows = groups === 1 ? t.shape[0] : t.shape.reduce((a, b) => a * b, 1) / groups;
  const groupKeep = Array.from({ length: groups }, (_, g) => keep.map((r) => g * rows + r)).flat();
  const shape = groups === 1 ? [keep.length, ...t.shape.slice(1)] : t.shape.length === 2 ? [groups, keep.length] : [groups * keep.length];
  if ('codes' in t) {
    tensors[name] = { ...t, shape, codes: pickRows(Int8Array.from(t.codes), cols, groupKeep) };
    keepRows(tensors, t.scale, keep);
  } else if ('data' in t) {
    tensors[name] = { ...t, shape, data: pickRows(t.data, cols, groupKeep) } as TensorData;
  }
}

/** Weight matrix `name` with columns `keep`. */
function keepCols(tensors: Record<string, TensorData>, name: string, keep: readonly number[]): void {
  const t = tensors[name] as PackedTensorData;
  const [rows, cols] = t.shape;
  tensors[name] = { ...t, shape: [rows, keep.length], codes: pickCols(Int8Array.from(t.codes), rows, cols, keep) };
}

/**
 * A copy of `model` without units `removed` of layer `name`, and without the input columns that
 * read them in every layer whose input it is.
 */
export function removeUnits(model: EditableModel, name: string, removed: readonly number[]): EditableModel {
  const header = structuredClone(model.header);
  const tensors = { ...model.tensors };
  const layer = header.layers.find((l) => l.name === name) as IntLayerSpec;
  const gone = new Set(removed);
  const keep = Array.from({ length: unitCount(layer) }, (_, i) => i).filter((i) => !gone.has(i));
  for (const matrix of weightNames(layer)) keepRows(tensors, matrix, keep);
  if (layer.op === 'gru-int') {
    for (const hidden of [layer.weights.hr, layer.weights.hz, layer.weights.hn]) keepCols(tensors, hidden, keep);
    keepRows(tensors, layer.biasIh, keep, 3);
    keepRows(tensors, layer.biasHh, keep, 3);
    keepRows(tensors, layer.multiplier, keep, 6);
    keepRows(tensors, layer.shift, keep, 6);
    layer.hidden = keep.length;
  } else {
    for (const perRow of [layer.bias, layer.multiplier, layer.shift]) keepRows(tensors, perRow, keep);
    layer.out = keep.length;
  }
  for (const reader of header.layers as IntLayerSpec[]) {
    if (reader.input !== name) continue;
    const inputs = reader.op === 'gru-int' ? [reader.weights.ir, reader.weights.iz, reader.weights.in] : [reader.weight];
    for (const matrix of inputs) keepCols(tensors, matrix, keep);
    reader.in = keep.length;
  }
  return { header, tensors };
}

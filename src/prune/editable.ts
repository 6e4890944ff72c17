/**
 * An integer model opened for pruning: its header and every tensor as the parts `writeModel` takes
 * (codes unpacked, scales and i32 tensors as arrays), so that codes can be zeroed and rows or
 * columns removed before the file is written again.
 */
import { InvalidOptionError } from '../errors.js';
import type { PackedTensorData, TensorData } from '../model/encode-tensor.js';
import { intBits, isPlainInt } from '../model/encodings.js';
import type { IntDtype, IntLayerSpec, Model, ModelHeader } from '../model/types.js';

/** A model's header without its tensor table, and its tensors in file order. */
export interface EditableModel {
  header: Omit<ModelHeader, 'tensors'>;
  tensors: Record<string, TensorData>;
}

/** One weight matrix of an integer layer: its codes `[rows, cols]` row-major and per-row scales. */
export interface WeightMatrix {
  name: string;
  rows: number;
  cols: number;
  codes: ArrayLike<number> & { [i: number]: number };
  scale: Float32Array;
}

/**
 * The integer layers of `model`, checked to be all of its layers.
 * @throws InvalidOptionError for a float model (quantize it first) or any other layer.
 */
export function intLayers(header: Pick<ModelHeader, 'name' | 'layers'>): IntLayerSpec[] {
  return header.layers.map((layer) => {
    if (layer.op !== 'dense-int' && layer.op !== 'gru-int') {
      throw new InvalidOptionError(`model "${header.name}": layer "${layer.name}" is ${layer.op}; pruning works on integer models: `
        + 'quantize it first (tinyhush quantize MODEL --bits 8 --out FILE)');
    }
    return layer;
  });
}

/**
 * `model` as editable parts (fresh copies).
 * @throws InvalidOptionError for a float or already sparse model.
 */
export function editableModel(model: Model): EditableModel {
  intLayers(model.header);
  const tensors: Record<string, TensorData> = {};
  for (const spec of model.header.tensors) {
    const { name, shape, dtype } = spec;
    if (dtype === 'csr' || dtype === 'block-sparse') {
      throw new InvalidOptionError(`model "${model.header.name}": tensor "${name}" is already ${dtype}; prune the dense integer model`);
    }
    if (intBits(dtype) !== undefined) {
      tensors[name] = { dtype: dtype as IntDtype, shape: [...shape], codes: model.intCodes(name), scale: spec.scale!,
        ...(spec.zeroPoint !== undefined && { zeroPoint: spec.zeroPoint }) };
    } else if (isPlainInt(dtype)) {
      // Widened to i32 for editing; the pruned file is written with the smallest dtypes (write.ts).
      tensors[name] = { dtype: 'i32', shape: [...shape], data: model.int32(name) };
    } else {
      tensors[name] = { shape: [...shape], data: model.tensor(name) };
    }
  }
  const { tensors: _table, ...header } = model.header;
  return { header: structuredClone(header), tensors };
}

/** A deep copy of `model` (pruning edits copies, so one opened model serves every trial). */
export function copyModel(model: EditableModel): EditableModel {
  return structuredClone(model);
}

/** The names of a layer's weight matrices: dense `weight`; GRU ir, iz, in, hr, hz, hn. */
export function weightNames(layer: IntLayerSpec): string[] {
  if (layer.op === 'dense-int') return [layer.weight];
  const { ir, iz, in: n, hr, hz, hn } = layer.weights;
  return [ir, iz, n, hr, hz, hn];
}

/** Weight matrix `name` of `model` (views into its parts, so writes edit the model). */
export function weightMatrix(model: EditableModel, name: string): WeightMatrix {
  const t = model.tensors[name] as PackedTensorData;
  const scale = (model.tensors[t.scale] as { data: Float32Array }).data;
  return { name, rows: t.shape[0], cols: t.shape[1], codes: t.codes as WeightMatrix['codes'], scale };
}

/** Every weight matrix of `layer`. */
export function layerMatrices(model: EditableModel, layer: IntLayerSpec): WeightMatrix[] {
  return weightNames(layer).map((name) => weightMatrix(model, name));
}

/** The layer of `model` named `name`. */
export function layerNamed(model: Pick<EditableModel, 'header'>, name: string): IntLayerSpec {
  return model.header.layers.find((layer) => layer.name === name) as IntLayerSpec;
}

/** Number of stored weights (codes of every weight matrix) of `model`, and how many of them are zero. */
export function weightCounts(model: EditableModel): { total: number; zeros: number } {
  let total = 0;
  let zeros = 0;
  for (const layer of intLayers(model.header)) {
    for (const m of layerMatrices(model, layer)) {
      total += m.rows * m.cols;
      for (let i = 0; i < m.rows * m.cols; i++) if (m.codes[i] === 0) zeros++;
    }
  }
  return { total, zeros };
}

/**
 * Writes a pruned integer model: dense (zeroed codes, which every engine runs) or with each weight
 * matrix of the pruned layers in its sparse encoding (`csr` for weight pruning, `block-sparse`
 * [4, 4] for block pruning: integer values with the dense matrix's per-row scales) where that is
 * smaller than the packed dense matrix.
 */
import { InvalidOptionError } from '../errors.js';
import { toSparse } from '../model/encode-dense.js';
import { encodeTensor, type PackedTensorData, type SparseTensorData, type TensorData } from '../model/encode-tensor.js';
import { intBits } from '../model/encodings.js';
import { narrowIntArrays } from '../model/narrow-ints.js';
import { writeModel } from '../model/write.js';
import { layerNamed, weightNames, type EditableModel } from './editable.js';
import { BLOCK } from './magnitude.js';

/** `tensors` written after `model`'s header, integer arrays in their smallest dtypes. */
function writeFile(model: EditableModel, tensors: Record<string, TensorData>): Uint8Array {
  return writeModel(model.header, narrowIntArrays(model.header.layers, tensors));
}

/** The file of `model` with every tensor as it is (dense codes). */
export function denseFile(model: EditableModel): Uint8Array {
  return writeFile(model, model.tensors);
}

/** Matrix `t` (named `name`) as csr, or as block-sparse with 4×4 blocks. */
export function sparseMatrix(name: string, t: PackedTensorData, format: 'csr' | 'block-sparse'): SparseTensorData {
  const bits = intBits(t.dtype)!;
  if (format === 'block-sparse' && (BLOCK * bits) % 8 !== 0) {
    throw new InvalidOptionError(`tensor "${name}": ${bits}-bit codes do not fill whole bytes in a block row of ${BLOCK}; `
      + 'block pruning needs 2-, 4-, 6- or 8-bit weights');
  }
  const shape = t.shape as [number, number];
  const parts = toSparse(t.codes, shape, format === 'csr' ? [1, 1] : [BLOCK, BLOCK]);
  return {
    dtype: format, shape, valueDtype: t.dtype, ...(format === 'block-sparse' && { block: [BLOCK, BLOCK] as [number, number] }),
    rowPtr: parts.rowPtr, colIdx: parts.colIdx, values: parts.values, scale: t.scale,
  };
}

/**
 * The tensors of `model` with the weight matrices of `layers` in `format` where that encoding is
 * the smaller (a lightly pruned matrix stays dense: csr spends an index byte or two per stored code).
 */
export function sparseTensors(model: EditableModel, layers: readonly string[], format: 'csr' | 'block-sparse'): Record<string, TensorData> {
  const tensors = { ...model.tensors };
  for (const layer of layers) {
    for (const name of weightNames(layerNamed(model, layer))) {
      const sparse = sparseMatrix(name, tensors[name] as PackedTensorData, format);
      if (encodeTensor(name, sparse).bytes.length < encodeTensor(name, tensors[name]).bytes.length) tensors[name] = sparse;
    }
  }
  return tensors;
}

/** The file of `model` with its pruned layers' matrices sparse (see `sparseTensors`). */
export function sparseFile(model: EditableModel, layers: readonly string[], format: 'csr' | 'block-sparse'): Uint8Array {
  return writeFile(model, sparseTensors(model, layers, format));
}

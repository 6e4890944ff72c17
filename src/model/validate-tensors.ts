/**
 * Checks the `tensors` table against the data section: dtype and its fields, sizes, alignment,
 * bounds, overlaps, companion (scale / zero point) references, then every tensor's bytes
 * (`validate-tensor-data.ts`).
 */
import { ALIGNMENT } from './layout.js';
import { asArray, asInt, asList, asObject, fail, getInt, getOneOf, getString, type JsonObject } from './fields.js';
import { blockGrid, elementCount, intBits, rowsCols, SPARSE_DTYPES, TENSOR_DTYPES, tensorLayout, VALUE_DTYPES } from './encodings.js';
import { LIMITS } from './limits.js';
import { checkTensorData } from './validate-tensor-data.js';
import type { TensorSpec } from './types.js';

/** Encoding fields; a tensor whose dtype does not use one must not carry it. */
const ENCODING_FIELDS = ['scale', 'zeroPoint', 'values', 'nnz', 'indexBits', 'rowPtrBits', 'block'] as const;

function checkShape(obj: JsonObject, path: string): number[] {
  const shape = asArray(obj.shape, `${path}.shape`);
  if (shape.length === 0 || shape.length > LIMITS.tensorRank) {
    fail(`${path}.shape`, `1 to ${LIMITS.tensorRank} dimensions`, shape);
  }
  return shape.map((dim, i) => asInt(dim, `${path}.shape[${i}]`));
}

/** The encoding fields of `obj` for its dtype; fields another dtype uses are rejected. */
function checkEncoding(obj: JsonObject, at: string, spec: TensorSpec): void {
  const sparse = SPARSE_DTYPES.includes(spec.dtype);
  if (sparse) {
    if (spec.shape.length !== 2) fail(`${at}.shape`, `2 dimensions for a ${spec.dtype} tensor`, spec.shape);
    spec.values = getOneOf(obj, 'values', at, VALUE_DTYPES);
    spec.nnz = getInt(obj, 'nnz', at, 0);
    spec.indexBits = getOneOf(obj, 'indexBits', at, [8, 16, 32] as const);
    if (obj.rowPtrBits !== undefined) spec.rowPtrBits = getOneOf(obj, 'rowPtrBits', at, [16, 32] as const);
  }
  const [rows, cols] = spec.shape;
  if (spec.dtype === 'block-sparse') {
    const block = asArray(obj.block, `${at}.block`);
    if (block.length !== 2) fail(`${at}.block`, '[rows, cols] of one block', block);
    const [br, bc] = block.map((d, i) => asInt(d, `${at}.block[${i}]`));
    // A last block row or column may be partial (the shape clips it), but a block never exceeds the shape.
    if (br > rows || bc > cols) fail(`${at}.block`, `a block shape no larger than [${spec.shape}]`, block);
    const bits = intBits(spec.values);
    if (bits !== undefined && (bc * bits) % 8 !== 0) {
      fail(`${at}.block`, `block columns × ${bits} bits to be a multiple of 8 (whole bytes per block row)`, block);
    }
    spec.block = [br, bc];
  }
  if (sparse) {
    const { blockRows, blockCols } = blockGrid(spec);
    const capacity = blockRows * blockCols;
    if (spec.nnz! > capacity) fail(`${at}.nnz`, `at most ${capacity} (every ${spec.dtype === 'csr' ? 'element' : 'block'})`, spec.nnz);
    if (spec.indexBits === 16 && blockCols > 65536) {
      fail(`${at}.indexBits`, `32: ${blockCols} ${spec.dtype === 'csr' ? 'columns' : 'block columns'} do not fit 16 bits`, 16);
    }
    if (spec.rowPtrBits === 16 && spec.nnz! > 65535) fail(`${at}.rowPtrBits`, `32: nnz ${spec.nnz} does not fit 16-bit row pointers`, 16);
  }
  const integer = intBits(spec.dtype) !== undefined || intBits(spec.values) !== undefined;
  if (integer) {
    spec.scale = getString(obj, 'scale', at);
    if (obj.zeroPoint !== undefined) spec.zeroPoint = getString(obj, 'zeroPoint', at);
  }
  for (const field of ENCODING_FIELDS) {
    if (obj[field] !== undefined && spec[field] === undefined) {
      fail(`${at}.${field}`, `no "${field}" on a ${spec.dtype}${spec.values ? ` (${spec.values} values)` : ''} tensor`, obj[field]);
    }
  }
}

function checkTensor(value: unknown, path: string, dataLength: number): TensorSpec {
  const obj = asObject(value, path);
  const name = getString(obj, 'name', path);
  const at = `${path} ("${name}")`;
  const dtype = getOneOf(obj, 'dtype', at, TENSOR_DTYPES);
  const shape = checkShape(obj, at);
  const offset = getInt(obj, 'offset', at, 0);
  const byteLength = getInt(obj, 'byteLength', at, 1);
  const spec: TensorSpec = { name, dtype, shape, offset, byteLength };
  // Decoding expands a tensor to dense f32: none may be larger than the engine could hold.
  const elements = elementCount(shape);
  if (elements > LIMITS.engineBytes / 4) fail(`${at}.shape`, `at most ${LIMITS.engineBytes / 4} elements`, elements);
  checkEncoding(obj, at, spec);
  const expected = tensorLayout(spec).byteLength;
  if (byteLength !== expected) fail(`${at}.byteLength`, `${expected} (what ${dtype} [${shape}] needs)`, byteLength);
  if (offset % ALIGNMENT !== 0) fail(`${at}.offset`, `a multiple of ${ALIGNMENT}`, offset);
  if (offset + byteLength > dataLength) {
    fail(`${at}`, `to end inside the ${dataLength}-byte data section, but it ends at byte ${offset + byteLength}`);
  }
  return spec;
}

/** The scale and zero-point tensors of `spec` exist, have the right dtypes and shape `[1]` or `[rows]`. */
function checkCompanions(spec: TensorSpec, byName: Map<string, TensorSpec>, at: string): void {
  if (spec.scale === undefined) return;
  const { rows } = rowsCols(spec.shape);
  const check = (key: 'scale' | 'zeroPoint', dtype: 'f32' | 'i32'): void => {
    const name = spec[key];
    if (name === undefined) return;
    const companion = byName.get(name);
    if (companion === undefined) fail(`${at}.${key}`, 'the name of a tensor in the tensor table', name);
    const shapeOk = companion.shape.length === 1 && (companion.shape[0] === 1 || companion.shape[0] === rows);
    if (companion.dtype !== dtype || !shapeOk) {
      fail(`${at}.${key}`, `a ${dtype} tensor of shape [1] or [${rows}] (per row); "${name}" is ${companion.dtype} [${companion.shape}]`);
    }
  };
  check('scale', 'f32');
  check('zeroPoint', 'i32');
  if (spec.zeroPoint !== undefined && byName.get(spec.zeroPoint)!.shape[0] !== byName.get(spec.scale)!.shape[0]) {
    fail(`${at}.zeroPoint`, `the shape of its scale tensor "${spec.scale}"`);
  }
}

/**
 * Validates `value` as the tensor table of the data section `data`: tensors may not overlap, the
 * data section must end where the last tensor ends, and every tensor's contents are checked.
 */
export function validateTensors(value: unknown, data: Uint8Array): Map<string, TensorSpec> {
  const list = asList(value, 'tensors', LIMITS.tensors).map((t, i) => checkTensor(t, `tensors[${i}]`, data.length));
  const byName = new Map<string, TensorSpec>();
  for (const tensor of list) {
    if (byName.has(tensor.name)) fail('tensors', `unique names, but "${tensor.name}" appears twice`);
    byName.set(tensor.name, tensor);
  }
  let end = 0;
  let previous = '';
  for (const tensor of [...list].sort((a, b) => a.offset - b.offset)) {
    if (tensor.offset < end) {
      fail('tensors', `no overlaps, but "${tensor.name}" starts at ${tensor.offset} inside "${previous}" (ends at ${end})`);
    }
    end = tensor.offset + tensor.byteLength;
    previous = tensor.name;
  }
  if (end !== data.length) fail('tensors', `to fill the ${data.length}-byte data section, but the last tensor ends at ${end}`);
  list.forEach((spec, i) => checkCompanions(spec, byName, `tensors[${i}] ("${spec.name}")`));
  list.forEach((spec, i) => checkTensorData(spec, byName, data, `tensors[${i}] ("${spec.name}")`));
  return byName;
}

/** Checks the `tensors` table against the data section: dtype, sizes, alignment, bounds, overlaps. */
import { ALIGNMENT } from './layout.js';
import { asArray, asInt, asObject, fail, getInt, getString, type JsonObject } from './fields.js';
import type { TensorSpec } from './types.js';

/** Encodings specified in docs/model-format.md for later engines; a v1 reader refuses them by name. */
export const FUTURE_DTYPES = ['i32', 'int2', 'int3', 'int4', 'int5', 'int6', 'int7', 'int8', 'csr', 'block-sparse'];

const F32_BYTES = 4;

function checkShape(obj: JsonObject, path: string): number[] {
  const shape = asArray(obj.shape, `${path}.shape`);
  if (shape.length === 0) fail(`${path}.shape`, 'at least one dimension', shape);
  return shape.map((dim, i) => asInt(dim, `${path}.shape[${i}]`));
}

function checkTensor(value: unknown, path: string, dataLength: number): TensorSpec {
  const obj = asObject(value, path);
  const name = getString(obj, 'name', path);
  const at = `${path} ("${name}")`;
  if (obj.dtype !== 'f32') {
    const known = FUTURE_DTYPES.includes(obj.dtype as string);
    const later = known ? 'this encoding is specified for a later engine; ' : '';
    fail(`${at}.dtype`, `"f32" (${later}the v1 reader supports only f32)`, obj.dtype);
  }
  const shape = checkShape(obj, at);
  const offset = getInt(obj, 'offset', at, 0);
  const byteLength = getInt(obj, 'byteLength', at, 1);
  const expectedBytes = shape.reduce((a, b) => a * b, F32_BYTES);
  if (byteLength !== expectedBytes) {
    fail(`${at}.byteLength`, `${expectedBytes} (shape [${shape}] × 4 bytes per f32)`, byteLength);
  }
  if (offset % ALIGNMENT !== 0) fail(`${at}.offset`, `a multiple of ${ALIGNMENT}`, offset);
  if (offset + byteLength > dataLength) {
    fail(`${at}`, `to end inside the ${dataLength}-byte data section, but it ends at byte ${offset + byteLength}`);
  }
  return { name, dtype: 'f32', shape, offset, byteLength };
}

/**
 * Validates `value` as the tensor table of a file whose data section is `dataLength` bytes:
 * tensors may not overlap and the data section must end where the last tensor ends.
 */
export function validateTensors(value: unknown, dataLength: number): Map<string, TensorSpec> {
  const list = asArray(value, 'tensors').map((t, i) => checkTensor(t, `tensors[${i}]`, dataLength));
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
  if (end !== dataLength) fail('tensors', `to fill the ${dataLength}-byte data section, but the last tensor ends at ${end}`);
  return byName;
}

/**
 * Integer model writers store each integer array of an integer layer in the smallest plain dtype
 * that holds every value the format allows in it (docs/model-format.md, "Plain integer arrays"), so
 * the dtype follows from the layer's bit widths, not from the values, and a file's size is known
 * from its bit configuration (`modelSizeBytes`): shifts (1…62) as i8, sigmoid/tanh tables of b-bit
 * codes as i8 (b ≤ 8), u8 (sigmoid, b = 9) or i16, biases of `biasBits` ≤ 8 / ≤ 16 as i8 / i16,
 * multipliers (Q31) as i32. `training/thm.py` (`narrow_int_arrays`) applies the same rule.
 */
import { smallestPlainInt } from './encodings.js';
import type { I32TensorData, TensorData } from './encode-tensor.js';
import type { LayerSpec, PlainIntDtype } from './types.js';

/** The largest code of a symmetric `bits`-bit quantity. */
const top = (bits: number): number => 2 ** (bits - 1) - 1;

/** The dtype of a bias of `biasBits` bits. */
export const biasDtype = (biasBits: number): PlainIntDtype => smallestPlainInt([-top(biasBits), top(biasBits)]);
/** The dtype of a table of `bits`-bit sigmoid or tanh codes. */
export const tableDtype = (fn: 'sigmoid' | 'tanh', bits: number): PlainIntDtype => smallestPlainInt([fn === 'tanh' ? -top(bits) : 0, top(bits)]);
/** The dtype of shifts (1…62). */
export const SHIFT_DTYPE: PlainIntDtype = smallestPlainInt([1, 62]);
/** The dtype of Q31 multipliers. */
export const MULTIPLIER_DTYPE: PlainIntDtype = 'i32';

/** The dtype of each integer array `layer` reads (none for a float layer). */
export function intArrayDtypes(layer: LayerSpec): [string, PlainIntDtype][] {
  if (layer.op === 'dense-int') {
    const q = layer.quant;
    const table: [string, PlainIntDtype][] = layer.table === null ? []
      : [[layer.table, tableDtype(layer.activation as 'sigmoid' | 'tanh', q.outputBits)]];
    return [[layer.bias, biasDtype(q.biasBits)], [layer.multiplier, MULTIPLIER_DTYPE], [layer.shift, SHIFT_DTYPE], ...table];
  }
  if (layer.op === 'gru-int') {
    const { biasBits, bits } = layer.quant;
    return [[layer.biasIh, biasDtype(biasBits)], [layer.biasHh, biasDtype(biasBits)], [layer.multiplier, MULTIPLIER_DTYPE],
      [layer.shift, SHIFT_DTYPE], [layer.tables.r, tableDtype('sigmoid', bits.r)], [layer.tables.z, tableDtype('sigmoid', bits.z)],
      [layer.tables.n, tableDtype('tanh', bits.n)]];
  }
  return [];
}

/**
 * `tensors` with every i32 array an integer layer of `layers` reads (and no tensor uses as a zero
 * point) in its dtype (`intArrayDtypes`); the writer refuses a value outside it.
 */
export function narrowIntArrays(layers: readonly LayerSpec[], tensors: Record<string, TensorData>): Record<string, TensorData> {
  const zeroPoints = new Set(Object.values(tensors).map((t) => ('zeroPoint' in t ? t.zeroPoint : undefined)));
  const out = { ...tensors };
  for (const [name, dtype] of layers.flatMap(intArrayDtypes)) {
    const t = out[name];
    if (t === undefined || t.dtype !== 'i32' || zeroPoints.has(name)) continue;
    out[name] = { ...(t as I32TensorData), dtype };
  }
  return out;
}

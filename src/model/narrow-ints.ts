/**
 * Integer model writers store each integer array that an integer layer reads (biases, multipliers,
 * shifts, tables) in the smallest plain dtype that holds all of its values (docs/model-format.md,
 * "Plain integer arrays"): tables of at most 16-bit output codes as i16 or 8 bits, shifts as bytes.
 * Zero points stay i32. This re-encodes the arrays of a model read from a file (pruning writes it
 * again); the converters pick the dtype as they make each array (`smallestPlainInt`).
 */
import { smallestPlainInt } from './encodings.js';
import type { I32TensorData, TensorData } from './encode-tensor.js';
import type { LayerSpec } from './types.js';

/** The integer arrays `layer` reads (none for a float layer). */
function intArrayNames(layer: LayerSpec): string[] {
  if (layer.op === 'dense-int') return [layer.bias, layer.multiplier, layer.shift, ...(layer.table === null ? [] : [layer.table])];
  if (layer.op === 'gru-int') {
    return [layer.biasIh, layer.biasHh, layer.multiplier, layer.shift, layer.tables.r, layer.tables.z, layer.tables.n];
  }
  return [];
}

/** `tensors` with every i32 array an integer layer of `layers` reads, and no tensor uses as a zero point, narrowed. */
export function narrowIntArrays(layers: readonly LayerSpec[], tensors: Record<string, TensorData>): Record<string, TensorData> {
  const zeroPoints = new Set(Object.values(tensors).map((t) => ('zeroPoint' in t ? t.zeroPoint : undefined)));
  const out = { ...tensors };
  for (const name of new Set(layers.flatMap(intArrayNames))) {
    const t = out[name];
    if (t === undefined || t.dtype !== 'i32' || zeroPoints.has(name)) continue;
    out[name] = { ...(t as I32TensorData), dtype: smallestPlainInt((t as I32TensorData).data) };
  }
  return out;
}

/**
 * Lays out one tensor's bytes in its encoding (docs/model-format.md, "Tensor dtypes"), from
 * already-encoded parts: integer codes, sparse indices. `encode-dense.ts` derives those parts from
 * dense values; `training/thm.py` writes the same bytes from the same parts.
 */
import { ModelFormatError } from '../errors.js';
import { blockGrid, codeRange, intBits, PLAIN_INTS, rowsCols, tensorLayout } from './encodings.js';
import { bridgeGaps, gapBytes } from './sparse-gaps.js';
import type { IntDtype, PlainIntDtype, TensorSpec, ValueDtype } from './types.js';

/** Dense f32 values (`dtype` omitted or `'f32'`). */
export interface F32TensorData {
  dtype?: 'f32';
  shape: number[];
  data: Float32Array;
}

/**
 * A plain integer array (zero points; an integer layer's biases, multipliers, shifts, tables) stored
 * as `dtype`. `writeModel` stores an integer layer's `i32` arrays in the smallest dtype that holds them.
 */
export interface I32TensorData {
  dtype: PlainIntDtype;
  shape: number[];
  data: Int32Array;
}

/** Packed integer codes, row-major, one per logical element. */
export interface PackedTensorData {
  dtype: IntDtype;
  shape: number[];
  codes: ArrayLike<number>;
  /** Name of the f32 scale tensor, `[1]` or `[rows]`. */
  scale: string;
  /** Name of the i32 zero-point tensor (omit for symmetric quantization). */
  zeroPoint?: string;
}

/** Row pointers, column indices (absolute, in block columns) and stored values of a sparse matrix. */
export interface ArrayParts {
  rowPtr: ArrayLike<number>;
  colIdx: ArrayLike<number>;
  values: ArrayLike<number>;
}

/**
 * A csr or block-sparse matrix: `rowPtr` over rows (csr) or block rows, `colIdx` per stored
 * element or block (in block columns), and `values` row after row (each block row-major): f32
 * values, or codes when `valueDtype` is an integer dtype.
 */
export interface SparseTensorData extends ArrayParts {
  dtype: 'csr' | 'block-sparse';
  shape: [number, number];
  valueDtype: ValueDtype;
  /**
   * Width of the stored column indices; omitted: the one of 8 (deltas, gaps bridged by stored zeros),
   * 16, 32 that makes the tensor smallest (the narrower on a tie).
   */
  indexBits?: 8 | 16 | 32;
  /** Width of the row pointers; omitted: 16 where the stored count allows, else 32. */
  rowPtrBits?: 16 | 32;
  /** block-sparse only: `[br, bc]`. */
  block?: [number, number];
  scale?: string;
  zeroPoint?: string;
}

/** One tensor to store. */
export type TensorData = F32TensorData | I32TensorData | PackedTensorData | SparseTensorData;

/** A tensor's table entry (without its offset) and its bytes. */
export interface EncodedTensor {
  spec: Omit<TensorSpec, 'offset'>;
  bytes: Uint8Array;
}

function mismatch(name: string, message: string): never {
  throw new ModelFormatError(`tensor "${name}": ${message}`);
}

/** Writes `codes` as `bits`-bit two's complement into the stream at byte `base` of `out`. */
function packCodes(out: Uint8Array, base: number, codes: ArrayLike<number>, from: number, count: number, bits: number, name: string): void {
  const [low, high] = codeRange(bits);
  const mask = (1 << bits) - 1;
  for (let j = 0; j < count; j++) {
    const q = codes[from + j];
    if (!Number.isInteger(q) || q < low || q > high) mismatch(name, `code ${q} is outside the ${bits}-bit range [${low}, ${high}]`);
    const bit = j * bits;
    const byte = base + Math.floor(bit / 8);
    const word = (q & mask) << (bit % 8);
    out[byte] |= word & 0xff;
    if (word > 0xff) out[byte + 1] |= word >> 8;
  }
}

function checkCount(name: string, what: string, actual: number, expected: number): void {
  if (actual !== expected) mismatch(name, `${what} has ${actual} entries; the shape needs ${expected}`);
}

/** The table entry and the stored parts of `t` with `indexBits`-bit column indices (8: gaps bridged). */
function sparseForm(t: SparseTensorData, name: string, indexBits: 8 | 16 | 32): { spec: Omit<TensorSpec, 'offset'>; parts: ArrayParts } {
  const [br, bc] = t.block ?? [1, 1];
  const parts = indexBits === 8 ? bridgeGaps(t, br * bc) : t;
  const nnz = parts.colIdx.length;
  const rowPtrBits = t.rowPtrBits ?? (nnz <= 0xffff ? 16 : 32);
  if (rowPtrBits === 16 && nnz > 0xffff) mismatch(name, `${nnz} stored elements do not fit 16-bit row pointers`);
  const spec: Omit<TensorSpec, 'offset'> = {
    name, dtype: t.dtype, shape: [...t.shape], byteLength: 0,
    ...(t.scale !== undefined && { scale: t.scale }), ...(t.zeroPoint !== undefined && { zeroPoint: t.zeroPoint }),
    values: t.valueDtype, nnz, indexBits, ...(rowPtrBits === 16 && { rowPtrBits }), ...(t.block && { block: [...t.block] as [number, number] }),
  };
  spec.byteLength = tensorLayout(spec).byteLength;
  return { spec, parts };
}

function encodeSparse(name: string, t: SparseTensorData): EncodedTensor {
  const [br, bc] = t.block ?? [1, 1];
  const { blockRows, blockCols } = blockGrid({ shape: t.shape, block: [br, bc] });
  checkCount(name, 'rowPtr', t.rowPtr.length, blockRows + 1);
  checkCount(name, 'values', t.values.length, t.colIdx.length * br * bc);
  const widths = t.indexBits !== undefined ? [t.indexBits] : ([8, 16, 32] as const).filter((b) => b !== 16 || blockCols <= 65536);
  const forms = widths.map((bits) => sparseForm(t, name, bits));
  const { spec, parts } = forms.reduce((best, form) => (form.spec.byteLength < best.spec.byteLength ? form : best));
  const layout = tensorLayout(spec);
  const bytes = new Uint8Array(layout.byteLength);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < parts.rowPtr.length; i++) {
    if (spec.rowPtrBits === 16) view.setUint16(2 * i, parts.rowPtr[i], true);
    else view.setUint32(4 * i, parts.rowPtr[i], true);
  }
  if (spec.indexBits === 8) {
    bytes.set(gapBytes(parts, (message) => mismatch(name, message)), layout.indexStart);
  } else {
    for (let i = 0; i < parts.colIdx.length; i++) {
      if (spec.indexBits === 32) view.setUint32(layout.indexStart + 4 * i, parts.colIdx[i], true);
      else view.setUint16(layout.indexStart + 2 * i, parts.colIdx[i], true);
    }
  }
  const bits = intBits(t.valueDtype);
  if (bits === undefined) {
    for (let i = 0; i < parts.values.length; i++) view.setFloat32(layout.valuesStart + 4 * i, parts.values[i], true);
  } else {
    packCodes(bytes, layout.valuesStart, parts.values, 0, parts.values.length, bits, name);
  }
  return { spec, bytes };
}

/** `values` as little-endian `dtype` elements; every value must fit. */
function narrowBytes(name: string, dtype: PlainIntDtype, values: Int32Array): Uint8Array {
  const { bytes, low, high } = PLAIN_INTS[dtype];
  const out = new Uint8Array(values.length * bytes);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (v < low || v > high) mismatch(name, `value ${v} does not fit ${dtype} [${low}, ${high}]`);
    if (bytes === 2) view.setInt16(2 * i, v, true);
    else out[i] = v & 0xff;
  });
  return out;
}

/**
 * The bytes of tensor `name` in its encoding and its table entry. Throws `ModelFormatError` when
 * the parts do not fit the shape or a code is out of range; indices are checked by `readModel`.
 */
export function encodeTensor(name: string, t: TensorData): EncodedTensor {
  if ('rowPtr' in t) return encodeSparse(name, t);
  const dtype = t.dtype ?? 'f32';
  const spec: Omit<TensorSpec, 'offset'> = { name, dtype, shape: [...t.shape], byteLength: tensorLayout({ dtype, shape: t.shape }).byteLength };
  const count = t.shape.reduce((a, b) => a * b, 1);
  if ('data' in t) {
    if (count !== t.data.length) mismatch(name, `shape [${t.shape}] holds ${count} values but its data has ${t.data.length}`);
    if (t.dtype === undefined || t.dtype === 'f32' || t.dtype === 'i32') {
      return { spec, bytes: new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)) };
    }
    return { spec, bytes: narrowBytes(name, t.dtype, t.data as Int32Array) };
  }
  checkCount(name, 'codes', t.codes.length, count);
  spec.scale = t.scale;
  if (t.zeroPoint !== undefined) spec.zeroPoint = t.zeroPoint;
  const bits = intBits(t.dtype)!;
  const { rows, cols } = rowsCols(t.shape);
  const rowBytes = spec.byteLength / rows;
  const bytes = new Uint8Array(spec.byteLength);
  for (let r = 0; r < rows; r++) packCodes(bytes, r * rowBytes, t.codes, r * cols, cols, bits, name);
  return { spec, bytes };
}

/**
 * Byte layout of every tensor encoding (docs/model-format.md, "Tensor dtypes"): how many bytes a
 * tensor of a given dtype, shape and sparsity occupies and where its parts start. Shared by the
 * validator, the decoder and the writer, so the three cannot disagree. All arithmetic is checked
 * to stay within safe integers.
 */
import { ModelFormatError } from '../errors.js';
import { alignUp } from './layout.js';
import type { IntDtype, PlainIntDtype, TensorDtype, TensorSpec, ValueDtype } from './types.js';

/** Bit width of each packed integer dtype. */
export const INT_BITS: Readonly<Record<IntDtype, number>> = {
  int2: 2, int3: 3, int4: 4, int5: 5, int6: 6, int7: 7, int8: 8,
};

export const INT_DTYPES = Object.keys(INT_BITS) as IntDtype[];
export const VALUE_DTYPES: readonly ValueDtype[] = ['f32', ...INT_DTYPES];
/**
 * Plain integer arrays: bytes per element and the range each holds, in the order writers try them
 * (the first that holds every value is the smallest).
 */
export const PLAIN_INTS: Readonly<Record<PlainIntDtype, { bytes: number; low: number; high: number }>> = {
  i8: { bytes: 1, low: -128, high: 127 },
  u8: { bytes: 1, low: 0, high: 255 },
  i16: { bytes: 2, low: -32768, high: 32767 },
  i32: { bytes: 4, low: -(2 ** 31), high: 2 ** 31 - 1 },
};
export const PLAIN_INT_DTYPES = Object.keys(PLAIN_INTS) as PlainIntDtype[];
export const TENSOR_DTYPES: readonly TensorDtype[] = ['f32', 'i32', 'i16', 'i8', 'u8', ...INT_DTYPES, 'csr', 'block-sparse'];
export const SPARSE_DTYPES: readonly TensorDtype[] = ['csr', 'block-sparse'];

/** Bit width of a packed integer dtype, or undefined for any other dtype. */
export function intBits(dtype: string | undefined): number | undefined {
  return dtype !== undefined && Object.hasOwn(INT_BITS, dtype) ? INT_BITS[dtype as IntDtype] : undefined;
}

/** Whether `dtype` is a plain integer array (i32, i16, i8, u8). */
export function isPlainInt(dtype: string | undefined): dtype is PlainIntDtype {
  return dtype !== undefined && Object.hasOwn(PLAIN_INTS, dtype);
}

/** The smallest plain integer dtype that holds every one of `values` exactly. */
export function smallestPlainInt(values: ArrayLike<number>): PlainIntDtype {
  let low = 0; // every dtype holds 0
  let high = 0;
  for (let i = 0; i < values.length; i++) {
    low = Math.min(low, values[i]);
    high = Math.max(high, values[i]);
  }
  return PLAIN_INT_DTYPES.find((d) => PLAIN_INTS[d].low <= low && high <= PLAIN_INTS[d].high) ?? 'i32';
}

/** The code range `[−2^(b−1), 2^(b−1) − 1]` of a `b`-bit packed integer. */
export function codeRange(bits: number): [number, number] {
  return [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}

/** `a · b`, or a `ModelFormatError` when it is not a safe integer (a size no file can have). */
export function safeMul(a: number, b: number, what: string): number {
  const product = a * b;
  if (!Number.isSafeInteger(product)) throw new ModelFormatError(`model header: ${what} (${a} × ${b}) is too large`);
  return product;
}

/** "rows" (product of all but the last dimension; 1 for 1-D) and "cols" (the last dimension). */
export function rowsCols(shape: readonly number[]): { rows: number; cols: number } {
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i++) rows = safeMul(rows, shape[i], 'tensor size');
  return { rows, cols: shape[shape.length - 1] };
}

/** Number of logical (dense) elements of `shape`. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => safeMul(n, d, 'tensor size'), 1);
}

/**
 * The grid of a csr (block `[1, 1]`) or block-sparse tensor: `⌈rows / br⌉` block rows and `⌈cols / bc⌉`
 * block columns. Blocks in a last, partial block row or column are stored whole; the logical shape
 * clips them and their padding is zero (docs/model-format.md, "Block-sparse").
 */
export function blockGrid(spec: { shape: readonly number[]; block?: readonly [number, number] }): { blockRows: number; blockCols: number } {
  const { rows, cols } = rowsCols(spec.shape);
  const [br, bc] = spec.block ?? [1, 1];
  return { blockRows: Math.ceil(rows / br), blockCols: Math.ceil(cols / bc) };
}

/** Bytes of `count` packed `bits`-bit codes in one stream. */
export function packedBytes(count: number, bits: number): number {
  return Math.ceil(safeMul(count, bits, 'packed bit count') / 8);
}

/** Where the parts of a tensor lie, in bytes from its `offset`. */
export interface TensorLayout {
  /** Total bytes (the end of the last part). */
  byteLength: number;
  /** csr / block-sparse: start of the column indices (the row pointers start at 0). */
  indexStart: number;
  /** csr / block-sparse: start of the stored values. */
  valuesStart: number;
}

/** Bytes of one stored element (f32) or of `count` stored codes in a stream. */
function valueBytes(values: ValueDtype, count: number): number {
  const bits = intBits(values);
  return bits === undefined ? safeMul(count, 4, 'value bytes') : packedBytes(count, bits);
}

/**
 * The layout of a tensor whose fields have been checked for type and range (every size a safe
 * integer ≥ 1); throws `ModelFormatError` only if a size overflows.
 */
export function tensorLayout(spec: Pick<TensorSpec, 'dtype' | 'shape' | 'values' | 'nnz' | 'indexBits' | 'rowPtrBits' | 'block'>): TensorLayout {
  const { rows, cols } = rowsCols(spec.shape);
  const bits = intBits(spec.dtype);
  if (spec.dtype === 'f32' || isPlainInt(spec.dtype)) {
    const bytes = spec.dtype === 'f32' ? 4 : PLAIN_INTS[spec.dtype].bytes;
    return { byteLength: safeMul(elementCount(spec.shape), bytes, 'tensor bytes'), indexStart: 0, valuesStart: 0 };
  }
  if (bits !== undefined) {
    return { byteLength: safeMul(rows, packedBytes(cols, bits), 'tensor bytes'), indexStart: 0, valuesStart: 0 };
  }
  const nnz = spec.nnz!;
  const [br, bc] = spec.dtype === 'block-sparse' ? spec.block! : [1, 1];
  const indexStart = alignUp(safeMul(blockGrid(spec).blockRows + 1, (spec.rowPtrBits ?? 32) / 8, 'row pointer bytes'));
  const indexBytes = safeMul(nnz, spec.indexBits! / 8, 'index bytes');
  const valuesStart = alignUp(indexStart + indexBytes);
  const stored = spec.dtype === 'block-sparse'
    ? safeMul(nnz, safeMul(br, valueBytes(spec.values!, bc), 'block bytes'), 'value bytes')
    : valueBytes(spec.values!, nnz);
  const byteLength = valuesStart + stored;
  if (!Number.isSafeInteger(byteLength)) throw new ModelFormatError('model header: sparse tensor size is too large');
  return { byteLength, indexStart, valuesStart };
}

/**
 * Expands any tensor encoding to dense row-major f32: `x = scale[r] · (q − zeroPoint[r])` for
 * packed integers, zeros where a sparse tensor stores nothing. The tensor has been validated
 * (`validate-tensors.ts`), so every index is in range. `training/thm.py` decodes the same way.
 */
import { blockGrid, elementCount, intBits, isPlainInt, packedBytes, rowsCols, tensorLayout } from './encodings.js';
import type { TensorSpec } from './types.js';

/** Signed `bits`-bit code number `index` of the little-endian bit stream starting at byte `base`. */
export function codeAt(bytes: Uint8Array, base: number, index: number, bits: number): number {
  const bit = index * bits;
  const byte = base + Math.floor(bit / 8);
  const shift = bit % 8;
  const word = shift + bits > 8 ? bytes[byte] | (bytes[byte + 1] << 8) : bytes[byte];
  const code = (word >> shift) & ((1 << bits) - 1);
  return code >= 1 << (bits - 1) ? code - (1 << bits) : code;
}

/** Per-row dequantization: value of code `q` in logical row `r`. */
type Dequantize = (q: number, r: number) => number;

function dequantizer(spec: TensorSpec, byName: Map<string, TensorSpec>, view: DataView): Dequantize {
  const scale = byName.get(spec.scale!)!;
  const zero = spec.zeroPoint === undefined ? undefined : byName.get(spec.zeroPoint)!;
  const perRow = scale.shape[0] > 1;
  const scales = Float32Array.from({ length: scale.shape[0] }, (_, i) => view.getFloat32(scale.offset + 4 * i, true));
  const zeros = Int32Array.from({ length: scale.shape[0] }, (_, i) => (zero ? view.getInt32(zero.offset + 4 * i, true) : 0));
  // scale and q − zp are exact in double, so rounding the product once gives the f32 product.
  return (q, r) => Math.fround(scales[perRow ? r : 0] * (q - zeros[perRow ? r : 0]));
}

/**
 * Reads stored element `i` of the sparse tensor `spec` in the data section `data` (before
 * dequantization for integer values: the code).
 */
export function storedReader(spec: TensorSpec, data: Uint8Array): (i: number) => number {
  const bits = intBits(spec.values);
  const base = spec.offset + tensorLayout(spec).valuesStart;
  if (bits === undefined) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return (i) => view.getFloat32(base + 4 * i, true);
  }
  // csr: one stream of nnz codes. block-sparse: block rows are whole bytes (bc · b is a multiple
  // of 8), so the blocks read as one stream too, element i = (block · br + row) · bc + col.
  return (i) => codeAt(data, base, i, bits);
}

/** The row pointers and column indices of a csr / block-sparse tensor, in any of their widths. */
export interface SparseIndex {
  /** `rowPtr[R]` (over block rows for block-sparse). */
  pointer(R: number): number;
  /**
   * The column (in blocks) of stored element `i`, given `previous`, the column of the element before
   * it in its row (−1 for the first): 8-bit indices store `column − previous − 1`.
   */
  column(i: number, previous: number): number;
}

/** Reads the index parts of the csr / block-sparse tensor `spec` in the data section `data` (no checks). */
export function sparseIndex(spec: TensorSpec, data: Uint8Array): SparseIndex {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const base = spec.offset;
  const at = base + tensorLayout(spec).indexStart;
  const column: SparseIndex['column'] = spec.indexBits === 8 ? (i, previous) => previous + 1 + view.getUint8(at + i)
    : spec.indexBits === 16 ? (i) => view.getUint16(at + 2 * i, true) : (i) => view.getUint32(at + 4 * i, true);
  const pointer = spec.rowPtrBits === 16 ? (R: number) => view.getUint16(base + 2 * R, true) : (R: number) => view.getUint32(base + 4 * R, true);
  return { pointer, column };
}

/**
 * Calls `visit(r, c, i)` for every stored element of the validated csr / block-sparse tensor `spec`
 * in the data section `data` that lies inside its shape: logical row `r`, column `c`, and `i`, its
 * index for `storedReader`. Rows in order, and within a row (block row) columns in order.
 */
export function forEachStored(spec: TensorSpec, data: Uint8Array, visit: (r: number, c: number, i: number) => void): void {
  const { rows, cols } = rowsCols(spec.shape);
  const [br, bc] = spec.block ?? [1, 1];
  const index = sparseIndex(spec, data);
  // A partial last block row or column is clipped to the shape (its padding is zero).
  for (let R = 0; R < blockGrid(spec).blockRows; R++) {
    const end = index.pointer(R + 1);
    let C = -1;
    for (let i = index.pointer(R); i < end; i++) {
      C = index.column(i, C);
      const c0 = C * bc;
      const width = Math.min(bc, cols - c0);
      for (let a = 0; a < Math.min(br, rows - R * br); a++) {
        const r = R * br + a;
        for (let b = 0; b < width; b++) visit(r, c0 + b, (i * br + a) * bc + b);
      }
    }
  }
}

function decodeSparse(spec: TensorSpec, byName: Map<string, TensorSpec>, data: Uint8Array, view: DataView, out: Float32Array): void {
  const { cols } = rowsCols(spec.shape);
  const stored = storedReader(spec, data);
  const dequantize = intBits(spec.values) === undefined ? (x: number) => x : dequantizer(spec, byName, view);
  forEachStored(spec, data, (r, c, i) => { out[r * cols + c] = dequantize(stored(i), r); });
}

/**
 * Tensor `spec` of the data section `data` as dense f32 (a fresh array); `byName` resolves its
 * scale and zero-point companions.
 */
export function decodeTensor(spec: TensorSpec, byName: Map<string, TensorSpec>, data: Uint8Array): Float32Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float32Array(elementCount(spec.shape));
  if (spec.dtype === 'f32') {
    // Copy into a fresh buffer: aligned, and safe for Node Buffers whose slice() is a view.
    // f32 data is little-endian, as on every WASM host.
    new Uint8Array(out.buffer).set(data.subarray(spec.offset, spec.offset + spec.byteLength));
  } else if (isPlainInt(spec.dtype)) {
    out.set(decodeI32(spec, data));
  } else if (intBits(spec.dtype) !== undefined) {
    const bits = intBits(spec.dtype)!;
    const { rows, cols } = rowsCols(spec.shape);
    const rowBytes = packedBytes(cols, bits);
    const dequantize = dequantizer(spec, byName, view);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) out[r * cols + j] = dequantize(codeAt(data, spec.offset + r * rowBytes, j, bits), r);
    }
  } else {
    decodeSparse(spec, byName, data, view, out);
  }
  return out;
}

/**
 * The unpacked codes of a packed-integer tensor `spec` (int2…int8), or of a csr / block-sparse one
 * with integer values (0 where nothing is stored), row-major, no scale applied.
 */
export function decodeCodes(spec: TensorSpec, data: Uint8Array): Int8Array {
  const { rows, cols } = rowsCols(spec.shape);
  if (intBits(spec.dtype) === undefined) {
    const out = new Int8Array(rows * cols);
    const stored = storedReader(spec, data);
    forEachStored(spec, data, (r, c, i) => { out[r * cols + c] = stored(i); });
    return out;
  }
  const bits = intBits(spec.dtype)!;
  // int8 rows are already i8 codes, row after row.
  if (bits === 8) return new Int8Array(data.buffer, data.byteOffset + spec.offset, rows * cols).slice();
  const rowBytes = packedBytes(cols, bits);
  const out = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) out[r * cols + j] = codeAt(data, spec.offset + r * rowBytes, j, bits);
  }
  return out;
}

/** The values of a plain integer tensor `spec` (i32, i16, i8 or u8), widened to i32 (a fresh copy). */
export function decodeI32(spec: TensorSpec, data: Uint8Array): Int32Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const at = spec.offset;
  const read: Record<string, (i: number) => number> = {
    i32: (i) => view.getInt32(at + 4 * i, true),
    i16: (i) => view.getInt16(at + 2 * i, true),
    i8: (i) => view.getInt8(at + i),
    u8: (i) => view.getUint8(at + i),
  };
  return Int32Array.from({ length: elementCount(spec.shape) }, (_, i) => read[spec.dtype](i));
}

// Sparse integer matrix-vector products (docs/sparsity.md): int32 acc = W·x + bias over the stored
// weights only, with intGemv's arithmetic (docs/integer.md): i8 codes (int2…int8, unpacked at load)
// times i16 activation codes, wrapping i32 adds that equal the exact sum under the overflow check.
//
// Layouts in WASM memory. The engine converts a model file's csr / block-sparse tensors into them at
// load and checks every index there, so the kernels read without bounds checks.
// - CSR: rowPtr i32[rows + 1] (rowPtr[0] = 0, non-decreasing), colIdx u16[nnz] (column of each stored
//   weight, < cols), values i8[nnz]; row r owns elements rowPtr[r] … rowPtr[r + 1] − 1.
// - Blocks of 4×4: rows in groups of four; rowPtr i32[⌈rows/4⌉ + 1] over blocks (group g, rows
//   4g … 4g + 3, owns blocks rowPtr[g] … rowPtr[g + 1] − 1), colStart u16[blocks] (the block's first
//   column, colStart + 4 ≤ cols), values i8[16 · blocks], each block 4 rows of 4 codes, row-major (one
//   v128). A start need not be a multiple of 4: a matrix whose width is not one ends its grid with a
//   block placed at cols − 4, its columns already covered by the block before holding 0, so no load
//   passes x's end. A last, partial group holds 0 in its missing rows; only `rows` outputs are written.
// Why 4×4 and not 1×16 (docs/sparsity.md): a group of four rows shares one loop, one reduction and
// one store; at 90 % sparsity that measured 1.2–1.4× the best 1×16 kernel and 1.9–2.5× a plain one.

import { countWork } from './counters';
import { intGemv } from './int-gemv';

/** Weights per block of the block-sparse layout (4×4). */
const BLOCK = 16;

/** Format tags of a SparseMatrix record. */
export const SPARSE_CSR = 0;
export const SPARSE_BLOCK4X4 = 1;
/** Dense i8 rows at `values` (rowPtr and index unused): a GRU side the engine keeps dense next to a sparse one. */
export const SPARSE_DENSE = 2;

/** A sparse matrix in one of the layouts above (i32 fields, field k at byte 4k, as int-params.ts). */
@unmanaged export class SparseMatrix {
  /** SPARSE_CSR, SPARSE_BLOCK4X4 or SPARSE_DENSE. */
  format: i32;
  /** i32 row pointers: [rows + 1] (CSR) or [⌈rows/4⌉ + 1] over groups of four rows (blocks). */
  rowPtr: i32;
  /** u16 column of each element (CSR) or first column of each block. */
  index: i32;
  /** i8 codes. */
  values: i32;
  /** Columns (read by SPARSE_DENSE only). */
  cols: i32;
}

@inline function biasAt(bias: usize, r: i32): i32 {
  return bias != 0 ? load<i32>(bias + (<usize>r << 2)) : 0;
}

/** The i16 code of x at the column of element i. */
@inline function gathered(x: usize, colIdx: usize, i: usize): i16 {
  return load<i16>(x + (<usize>load<u16>(colIdx + (i << 1)) << 1));
}

/**
 * acc[rows] (i32) = W · x[cols] (i16) + bias[rows] (i32; 0 = none) for W in the CSR layout. Eight
 * codes of x are gathered into the lanes of one vector and met with eight stored codes in
 * i32x4.dot_i16x8_s (measured 1.1–1.5× a scalar loop at 50–90 % sparsity, about even at 95 %, where rows
 * hold few elements); a row's last 0–7 elements run scalar.
 * Counts one MAC per stored element and the values, column indices, row pointers and bias read.
 */
export function intCsrGemv(acc: usize, values: usize, colIdx: usize, rowPtr: usize, x: usize, bias: usize, rows: i32): void {
  let start = <usize>load<i32>(rowPtr);
  for (let r = 0; r < rows; r++) {
    const end = <usize>load<i32>(rowPtr + (<usize>(r + 1) << 2));
    let a = i32x4.splat(0);
    let i = start;
    for (; i + 8 <= end; i += 8) {
      let xv = i16x8.splat(gathered(x, colIdx, i));
      xv = i16x8.replace_lane(xv, 1, gathered(x, colIdx, i + 1));
      xv = i16x8.replace_lane(xv, 2, gathered(x, colIdx, i + 2));
      xv = i16x8.replace_lane(xv, 3, gathered(x, colIdx, i + 3));
      xv = i16x8.replace_lane(xv, 4, gathered(x, colIdx, i + 4));
      xv = i16x8.replace_lane(xv, 5, gathered(x, colIdx, i + 5));
      xv = i16x8.replace_lane(xv, 6, gathered(x, colIdx, i + 6));
      xv = i16x8.replace_lane(xv, 7, gathered(x, colIdx, i + 7));
      a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load8x8_s(values + i), xv));
    }
    let s = i32x4.extract_lane(a, 0) + i32x4.extract_lane(a, 1) + i32x4.extract_lane(a, 2) + i32x4.extract_lane(a, 3);
    for (; i < end; i++) s += <i32>load<i8>(values + i) * <i32>gathered(x, colIdx, i);
    store<i32>(acc + (<usize>r << 2), s + biasAt(bias, r));
    start = end;
  }
  const nnz = <f64>(load<i32>(rowPtr + (<usize>rows << 2)) - load<i32>(rowPtr));
  countWork(nnz, nnz * 3 + <f64>(rows + 1) * 4 + (bias != 0 ? <f64>rows * 4 : 0));
}

/** a + the 8 products of 2 block rows (i8 codes at w) with 4 i16 codes of x repeated in xv. */
@inline function macRows(a: v128, w: usize, xv: v128): v128 {
  return i32x4.add(a, i32x4.dot_i16x8_s(v128.load8x8_s(w), xv));
}

/** The block's 4 codes of x (at its column start), in both halves of a v128. */
@inline function blockX(colStart: usize, x: usize, b: usize): v128 {
  return v128.load64_splat(x + (<usize>load<u16>(colStart + (b << 1)) << 1));
}

/**
 * acc[rows] (i32) = W · x (i16) + bias[rows] (i32; 0 = none) for W in the 4×4 block layout. A block's
 * 16 codes widen to two i16x8 (rows 0–1, rows 2–3) and meet its 4 codes of x, repeated, in
 * i32x4.dot_i16x8_s. Counts 16 MACs per stored block and the values, starts, row pointers and bias read.
 */
export function intBlockGemv(acc: usize, values: usize, colStart: usize, rowPtr: usize, x: usize, bias: usize, rows: i32): void {
  const groups = (rows + 3) >> 2;
  let start = <usize>load<i32>(rowPtr);
  for (let g = 0; g < groups; g++) {
    const end = <usize>load<i32>(rowPtr + (<usize>(g + 1) << 2));
    // Lanes of a01: row 0 columns 0–1, row 0 columns 2–3, row 1 columns 0–1, row 1 columns 2–3; two
    // blocks per step in separate accumulators so that one block's loads do not wait for the other's add.
    let a01 = i32x4.splat(0), a23 = i32x4.splat(0), c01 = i32x4.splat(0), c23 = i32x4.splat(0);
    let b = start;
    for (; b + 2 <= end; b += 2) {
      const w = values + (b << 4);
      const xa = blockX(colStart, x, b), xb = blockX(colStart, x, b + 1);
      a01 = macRows(a01, w, xa);
      a23 = macRows(a23, w + 8, xa);
      c01 = macRows(c01, w + 16, xb);
      c23 = macRows(c23, w + 24, xb);
    }
    if (b < end) {
      const xa = blockX(colStart, x, b);
      a01 = macRows(a01, values + (b << 4), xa);
      a23 = macRows(a23, values + (b << 4) + 8, xa);
    }
    a01 = i32x4.add(a01, c01);
    a23 = i32x4.add(a23, c23);
    const sums = i32x4.add(v128.shuffle<i32>(a01, a23, 0, 2, 4, 6), v128.shuffle<i32>(a01, a23, 1, 3, 5, 7));
    const r = g << 2;
    const o = <usize>r << 2;
    if (r + 4 <= rows) v128.store(acc + o, bias != 0 ? i32x4.add(sums, v128.load(bias + o)) : sums);
    else {
      store<i32>(acc + o, i32x4.extract_lane(sums, 0) + biasAt(bias, r));
      if (r + 1 < rows) store<i32>(acc + o, i32x4.extract_lane(sums, 1) + biasAt(bias, r + 1), 4);
      if (r + 2 < rows) store<i32>(acc + o, i32x4.extract_lane(sums, 2) + biasAt(bias, r + 2), 8);
    }
    start = end;
  }
  const blocks = <f64>(load<i32>(rowPtr + (<usize>groups << 2)) - load<i32>(rowPtr));
  countWork(blocks * BLOCK, blocks * (BLOCK + 2) + <f64>(groups + 1) * 4 + (bias != 0 ? <f64>rows * 4 : 0));
}

/** acc[rows] = W · x + bias for the SparseMatrix record at `matrix` (CSR, 4×4 blocks or dense rows). */
export function intSparseGemv(acc: usize, matrix: usize, x: usize, bias: usize, rows: i32): void {
  const m = changetype<SparseMatrix>(matrix);
  if (m.format == SPARSE_CSR) intCsrGemv(acc, <usize>m.values, <usize>m.index, <usize>m.rowPtr, x, bias, rows);
  else if (m.format == SPARSE_BLOCK4X4) intBlockGemv(acc, <usize>m.values, <usize>m.index, <usize>m.rowPtr, x, bias, rows);
  else intGemv(acc, <usize>m.values, x, bias, rows, m.cols);
}

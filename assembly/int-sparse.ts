// Sparse integer matrix-vector products (docs/sparsity.md): int32 acc = W·x + bias over the stored
// weights only, with intGemv's arithmetic (docs/integer.md): i8 codes (int2…int8, unpacked at load)
// times i16 activation codes, wrapping i32 adds that equal the exact sum under the overflow check.
//
// Layouts in WASM memory. The engine converts a model file's csr / block-sparse tensors into them at
// load and checks every index there, so the kernels read without bounds checks.
// - CSR: rowPtr i32[rows + 1] (rowPtr[0] = 0, non-decreasing), colIdx u16[nnz] (column of each stored
//   weight, < cols), values i8[nnz]; row r owns elements rowPtr[r] … rowPtr[r + 1] − 1.
// - Blocks of 1×16: rowPtr i32[rows + 1] over blocks (row r owns blocks rowPtr[r] … rowPtr[r + 1] − 1),
//   colStart u16[blocks] (the block's first column, colStart + 16 ≤ cols), values i8[16 · blocks],
//   16 contiguous codes per block (one v128). A start need not be a multiple of 16: a row whose
//   length is not one ends with a block placed at cols − 16, its columns already covered by the
//   block before holding 0, so no load passes x's end.

import { countWork } from './counters';

/** Weights per block of the block-sparse layout. */
export const BLOCK = 16;

/** Format tags of a SparseMatrix record. */
export const SPARSE_CSR = 0;
export const SPARSE_BLOCK16 = 1;

/** A sparse matrix in one of the layouts above (i32 fields, field k at byte 4k, as int-params.ts). */
@unmanaged export class SparseMatrix {
  /** SPARSE_CSR or SPARSE_BLOCK16. */
  format: i32;
  /** i32[rows + 1] row pointers. */
  rowPtr: i32;
  /** u16 column of each element (CSR) or first column of each block. */
  index: i32;
  /** i8 codes. */
  values: i32;
}

@inline function biasAt(bias: usize, r: i32): i32 {
  return bias != 0 ? load<i32>(bias + (<usize>r << 2)) : 0;
}

@inline function product(values: usize, colIdx: usize, x: usize, i: usize): i32 {
  return <i32>load<i8>(values + i) * <i32>load<i16>(x + (<usize>load<u16>(colIdx + (i << 1)) << 1));
}

/**
 * acc[rows] (i32) = W · x[cols] (i16) + bias[rows] (i32; 0 = none) for W in the CSR layout. Counts
 * one MAC per stored element and the values, column indices, row pointers and bias read.
 */
export function intCsrGemv(acc: usize, values: usize, colIdx: usize, rowPtr: usize, x: usize, bias: usize, rows: i32): void {
  let start = <usize>load<i32>(rowPtr);
  for (let r = 0; r < rows; r++) {
    const end = <usize>load<i32>(rowPtr + (<usize>(r + 1) << 2));
    // Four independent sums: the loads of one product do not wait for the previous add.
    let s0 = biasAt(bias, r), s1 = 0, s2 = 0, s3 = 0;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      s0 += product(values, colIdx, x, i);
      s1 += product(values, colIdx, x, i + 1);
      s2 += product(values, colIdx, x, i + 2);
      s3 += product(values, colIdx, x, i + 3);
    }
    for (; i < end; i++) s0 += product(values, colIdx, x, i);
    store<i32>(acc + (<usize>r << 2), s0 + s1 + s2 + s3);
    start = end;
  }
  const nnz = <f64>(load<i32>(rowPtr + (<usize>rows << 2)) - load<i32>(rowPtr));
  countWork(nnz, nnz * 3 + <f64>(rows + 1) * 4 + (bias != 0 ? <f64>rows * 4 : 0));
}

/** a + the 16 products of the block's i8 codes at w with the 16 i16 codes at xp. */
@inline function macBlock(a: v128, w: usize, xp: usize): v128 {
  return i32x4.add(a, i32x4.add(
    i32x4.dot_i16x8_s(v128.load8x8_s(w), v128.load(xp)),
    i32x4.dot_i16x8_s(v128.load8x8_s(w, 8), v128.load(xp, 16))));
}

@inline function blockX(colStart: usize, x: usize, b: usize): usize {
  return x + (<usize>load<u16>(colStart + (b << 1)) << 1);
}

/**
 * acc[rows] (i32) = W · x (i16) + bias[rows] (i32; 0 = none) for W in the 1×16 block layout. Each
 * block is one v128 of codes, widened to two i16x8 and met with 16 contiguous codes of x in
 * i32x4.dot_i16x8_s. Counts 16 MACs per stored block and the values, starts, row pointers and bias read.
 */
export function intBlockGemv(acc: usize, values: usize, colStart: usize, rowPtr: usize, x: usize, bias: usize, rows: i32): void {
  let start = <usize>load<i32>(rowPtr);
  for (let r = 0; r < rows; r++) {
    const end = <usize>load<i32>(rowPtr + (<usize>(r + 1) << 2));
    // Two accumulators: consecutive blocks do not wait for each other's add.
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0);
    let b = start;
    for (; b + 2 <= end; b += 2) {
      a0 = macBlock(a0, values + (b << 4), blockX(colStart, x, b));
      a1 = macBlock(a1, values + ((b + 1) << 4), blockX(colStart, x, b + 1));
    }
    if (b < end) a0 = macBlock(a0, values + (b << 4), blockX(colStart, x, b));
    const a = i32x4.add(a0, a1);
    store<i32>(acc + (<usize>r << 2), i32x4.extract_lane(a, 0) + i32x4.extract_lane(a, 1) +
      i32x4.extract_lane(a, 2) + i32x4.extract_lane(a, 3) + biasAt(bias, r));
    start = end;
  }
  const blocks = <f64>(load<i32>(rowPtr + (<usize>rows << 2)) - load<i32>(rowPtr));
  countWork(blocks * BLOCK, blocks * (BLOCK + 2) + <f64>(rows + 1) * 4 + (bias != 0 ? <f64>rows * 4 : 0));
}

/** acc[rows] = W · x + bias for the SparseMatrix record at `matrix` (CSR or 1×16 blocks). */
export function intSparseGemv(acc: usize, matrix: usize, x: usize, bias: usize, rows: i32): void {
  const m = changetype<SparseMatrix>(matrix);
  if (m.format == SPARSE_CSR) intCsrGemv(acc, <usize>m.values, <usize>m.index, <usize>m.rowPtr, x, bias, rows);
  else intBlockGemv(acc, <usize>m.values, <usize>m.index, <usize>m.rowPtr, x, bias, rows);
}

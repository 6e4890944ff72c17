// A dense-int layer (docs/integer.md): integer GEMV into the record's scratch, then requantization.

import { intGemv } from './int-gemv';
import { IntDenseParams } from './int-params';
import { intSparseGemv } from './int-sparse';
import { requantize } from './requant';

/** out[rows] (i16 codes) = requantize(W[rows, cols] (i8) · x[cols] (i16) + bias) per the IntDenseParams at `params`. */
export function intDense(out: usize, W: usize, x: usize, bias: usize, rows: i32, cols: i32, params: usize): void {
  const scratch = <usize>changetype<IntDenseParams>(params).scratch;
  intGemv(scratch, W, x, bias, rows, cols);
  requantize(out, scratch, rows, params);
}

/** intDense for a sparse weight: `matrix` is a SparseMatrix record (int-sparse.ts, CSR or 4×4 blocks). */
export function intDenseSparse(out: usize, matrix: usize, x: usize, bias: usize, rows: i32, params: usize): void {
  const scratch = <usize>changetype<IntDenseParams>(params).scratch;
  intSparseGemv(scratch, matrix, x, bias, rows);
  requantize(out, scratch, rows, params);
}

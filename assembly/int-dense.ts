// A dense-int layer (docs/integer.md): integer GEMV into the record's scratch, then requantization.

import { intGemv } from './int-gemv';
import { IntDenseParams } from './int-params';
import { requantize } from './requant';

/** out[rows] (i16 codes) = requantize(W[rows, cols] (i8) · x[cols] (i16) + bias) per the IntDenseParams at `params`. */
export function intDense(out: usize, W: usize, x: usize, bias: usize, rows: i32, cols: i32, params: usize): void {
  const scratch = <usize>changetype<IntDenseParams>(params).scratch;
  intGemv(scratch, W, x, bias, rows, cols);
  requantize(out, scratch, rows, params);
}

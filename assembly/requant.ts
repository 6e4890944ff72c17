// The fixed-point rules of docs/integer.md: one rounding rule (round half up: add half, then an
// arithmetic shift right), saturation to symmetric code ranges, requantization by a Q31 multiplier
// and a shift in i64, and the dense layer's output step (activation, table).

import { IntDenseParams } from './int-params';
import { lookup } from './int-tables';

const ACT_RELU = 1;
const ACT_SIGMOID = 2;
const ACT_TANH = 3;

/** Round-half-up shift right of `v` by `k` ≥ 0. */
@inline export function rshift(v: i64, k: i32): i64 {
  return k > 0 ? (v + (<i64>1 << <i64>(k - 1))) >> <i64>k : v;
}

/** rshift(acc · m, s): an int32 accumulator times m / 2^s (0 ≤ m < 2^31, 1 ≤ s ≤ 62), no i64 overflow. */
@inline export function rq(acc: i32, m: i32, s: i32): i64 {
  return (<i64>acc * <i64>m + (<i64>1 << <i64>(s - 1))) >> <i64>s;
}

/** Clamps to [−(2^(bits−1) − 1), 2^(bits−1) − 1]. */
@inline export function sat(v: i64, bits: i32): i32 {
  const top = (<i64>1 << <i64>(bits - 1)) - 1;
  return <i32>(v > top ? top : v < -top ? -top : v);
}

/** A power-of-two-scaled code of `fromBits` expressed at `toBits`. */
@inline export function align(v: i32, fromBits: i32, toBits: i32): i64 {
  return toBits >= fromBits ? <i64>v << <i64>(toBits - fromBits) : rshift(<i64>v, fromBits - toBits);
}

/**
 * i16 codes out[rows] from int32 accumulators acc[rows]: requantized by the per-row multipliers and
 * shifts of `params` (an IntDenseParams record), then saturated (none, relu) or looked up in the
 * sigmoid/tanh table. `out` may not overlap `acc`.
 */
export function requantize(out: usize, acc: usize, rows: i32, params: usize): void {
  const p = changetype<IntDenseParams>(params);
  const act = p.act;
  const tabled = act == ACT_SIGMOID || act == ACT_TANH;
  const bits = tabled ? p.preBits : p.outBits;
  for (let r = 0; r < rows; r++) {
    const o = <usize>r << 2;
    let y = sat(rq(load<i32>(acc + o), load<i32>(<usize>p.multiplier + o), load<i32>(<usize>p.shift + o)), bits);
    if (tabled) y = lookup(<usize>p.table, y, bits, p.tableBits);
    else if (act == ACT_RELU && y < 0) y = 0;
    store<i16>(out + (<usize>r << 1), <i16>y);
  }
}

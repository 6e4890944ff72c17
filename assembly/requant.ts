// The fixed-point rules of docs/integer.md: one rounding rule (round half up: add half, then an
// arithmetic shift right), saturation to symmetric code ranges, requantization by a Q31 multiplier
// and a shift in i64, and the dense layer's output step (activation, table).

import { IntDenseParams } from './int-params';
import { lookup } from './int-tables';
import { lookupLanes, rqLanes, satLanes, storeI16Lanes } from './requant-lanes';

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

/** requantize's rows from … to − 1, one at a time: docs/integer.md's definitions in i64. */
function requantizeRows(out: usize, acc: usize, from: i32, to: i32, p: IntDenseParams): void {
  const act = p.act;
  const tabled = act == ACT_SIGMOID || act == ACT_TANH;
  const bits = tabled ? p.preBits : p.outBits;
  for (let r = from; r < to; r++) {
    const o = <usize>r << 2;
    let y = sat(rq(load<i32>(acc + o), load<i32>(<usize>p.multiplier + o), load<i32>(<usize>p.shift + o)), bits);
    if (tabled) y = lookup(<usize>p.table, y, bits, p.tableBits);
    else if (act == ACT_RELU && y < 0) y = 0;
    store<i16>(out + (<usize>r << 1), <i16>y);
  }
}

/**
 * requantize's rows 0 … 4·⌊rows/4⌋ − 1 run by run (the record's lanePow ≠ 0): four per SIMD step in
 * the run's lane form (requant-lanes.ts), row by row a run without one. Returns the rows done.
 */
function requantizeLanes(out: usize, acc: usize, rows: i32, p: IntDenseParams): i32 {
  const mul = <usize>p.multiplier, pow = <usize>p.lanePow;
  const act = p.act;
  const tabled = act == ACT_SIGMOID || act == ACT_TANH;
  const table = <usize>p.table, preBits = p.preBits, tableBits = p.tableBits;
  const top = (1 << (p.outBits - 1)) - 1;
  const high = i32x4.splat(top), low = i32x4.splat(act == ACT_RELU ? 0 : -top);
  const rows4 = rows & ~3;
  for (let r = 0, run = <usize>p.laneRuns; r < rows4; run += 12) {
    const end = load<i32>(run), laneShift = load<i32>(run, 4), spread = load<i32>(run, 8);
    if (laneShift < 0) {
      requantizeRows(out, acc, r, end, p);
      r = end;
      continue;
    }
    // Separate loops for tabled and clamped outputs keep the activation test out of them.
    if (tabled) {
      for (; r < end; r += 4) {
        const v = rqLanes(acc, mul, pow, <usize>r << 2, laneShift, spread);
        storeI16Lanes(out + (<usize>r << 1), lookupLanes(table, satLanes(v, preBits), preBits, tableBits));
      }
    } else {
      for (; r < end; r += 4) {
        const v = rqLanes(acc, mul, pow, <usize>r << 2, laneShift, spread);
        storeI16Lanes(out + (<usize>r << 1), i32x4.min_s(i32x4.max_s(v, low), high));
      }
    }
  }
  return rows4;
}

/**
 * i16 codes out[rows] from int32 accumulators acc[rows]: requantized by the per-row multipliers and
 * shifts of `params` (an IntDenseParams record), then saturated (none, relu) or looked up in the
 * sigmoid/tanh table. `out` may not overlap `acc`. With the record's lane form (requant-lanes.ts)
 * four rows per step where their run has one, the rest (and the last rows % 4) row by row.
 */
export function requantize(out: usize, acc: usize, rows: i32, params: usize): void {
  const p = changetype<IntDenseParams>(params);
  requantizeRows(out, acc, p.lanePow != 0 ? requantizeLanes(out, acc, rows, p) : 0, rows, p);
}

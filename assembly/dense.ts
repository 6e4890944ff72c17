// Dense layers out = act(W·x + b), W row-major [rows, cols]. The SIMD kernel walks four rows at
// once (four independent f32x4 accumulators share each x load); columns past the last multiple
// of 4 are finished in scalar code. `out` must not overlap `x`; `bias` 0 means no bias.
// `denseColsMasked` takes the transpose Wt [cols, rows] instead: a skipped column is then one
// contiguous run of weights that is never read, and the rows are the SIMD lanes.

import { ACTIVE_CHUNK, activeList, listActive, listed } from './active-list';
import { activation } from './activations';
import { countWork } from './counters';
import { dot, madd4, sum4 } from './vector';

/** Adds the bias (if any) and applies the activation to out[r]. */
@inline function finish(out: usize, bias: usize, r: i32, sum: f32, act: i32): void {
  const o = <usize>r << 2;
  if (bias != 0) sum += load<f32>(bias + o);
  store<f32>(out + o, activation(sum, act));
}

@inline function weightBytes(rows: i32, cols: i32, bias: usize): f64 {
  return <f64>rows * <f64>cols * 4 + (bias != 0 ? <f64>rows * 4 : 0);
}

/** Four rows r0..r3 of act(W·x + b): four f32x4 accumulators share each x load. */
@inline function rows4(
  out: usize, W: usize, x: usize, bias: usize, rowBytes: usize, act: i32,
  r0: i32, r1: i32, r2: i32, r3: i32,
): void {
  const simdBytes = rowBytes & ~15;
  const w0 = W + <usize>r0 * rowBytes, w1 = W + <usize>r1 * rowBytes;
  const w2 = W + <usize>r2 * rowBytes, w3 = W + <usize>r3 * rowBytes;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let o: usize = 0;
  for (; o < simdBytes; o += 16) {
    const xv = v128.load(x + o);
    a0 = madd4(v128.load(w0 + o), xv, a0);
    a1 = madd4(v128.load(w1 + o), xv, a1);
    a2 = madd4(v128.load(w2 + o), xv, a2);
    a3 = madd4(v128.load(w3 + o), xv, a3);
  }
  let s0 = sum4(a0), s1 = sum4(a1), s2 = sum4(a2), s3 = sum4(a3);
  for (; o < rowBytes; o += 4) {
    const xs = load<f32>(x + o);
    s0 += load<f32>(w0 + o) * xs;
    s1 += load<f32>(w1 + o) * xs;
    s2 += load<f32>(w2 + o) * xs;
    s3 += load<f32>(w3 + o) * xs;
  }
  finish(out, bias, r0, s0, act);
  finish(out, bias, r1, s1, act);
  finish(out, bias, r2, s2, act);
  finish(out, bias, r3, s3, act);
}

/** out[rows] = act(W[rows, cols] · x[cols] + bias[rows]); act 0 none, 1 relu, 2 sigmoid, 3 tanh. */
export function dense(out: usize, W: usize, x: usize, bias: usize, rows: i32, cols: i32, act: i32): void {
  const rowBytes = <usize>cols << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) rows4(out, W, x, bias, rowBytes, act, r, r + 1, r + 2, r + 3);
  for (; r < rows; r++) finish(out, bias, r, dot(W + <usize>r * rowBytes, x, cols), act);
  countWork(<f64>rows * <f64>cols, weightBytes(rows, cols, bias));
}

/** Same maths and counting as `dense`, scalar only: the baseline the benchmark compares against. */
export function denseScalar(out: usize, W: usize, x: usize, bias: usize, rows: i32, cols: i32, act: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const w = W + <usize>r * rowBytes;
    let s: f32 = 0;
    for (let o: usize = 0; o < rowBytes; o += 4) s += load<f32>(w + o) * load<f32>(x + o);
    finish(out, bias, r, s, act);
  }
  countWork(<f64>rows * <f64>cols, weightBytes(rows, cols, bias));
}

/** Number of non-zero u8 entries of `mask` (all `n` when `mask` is 0). */
@inline function activeCount(mask: usize, n: i32): i32 {
  if (mask == 0) return n;
  let active = 0;
  for (let i = 0; i < n; i++) if (load<u8>(mask + i) != 0) active++;
  return active;
}

/**
 * `dense` restricted to the rows and columns whose u8 mask entry is non-zero (mask pointer 0 =
 * all on). Skipped rows write 0 (a pruned channel is silent); skipped weights are never read,
 * and only the executed MACs and read bytes are counted. Row masks run in SIMD, four active rows
 * at a time from a branch-free list of them; a column mask on row-major weights runs in scalar
 * code (the skipped weights sit between the active ones): give a gated project layer
 * `denseColsMasked` and its transpose.
 * Returns the number of rows computed.
 */
export function denseMasked(
  out: usize, W: usize, x: usize, bias: usize, rows: i32, cols: i32, act: i32,
  rowMask: usize, colMask: usize,
): i32 {
  if (rowMask == 0 && colMask == 0) {
    dense(out, W, x, bias, rows, cols, act);
    return rows;
  }
  const activeCols = activeCount(colMask, cols);
  const rowBytes = <usize>cols << 2;
  let activeRows = 0;
  if (colMask == 0) {
    // Active rows in fours for the SIMD block; 1-3 left over take the single-row dot.
    memory.fill(out, 0, <usize>rows << 2);
    for (let from = 0; from < rows; from += ACTIVE_CHUNK) {
      const n = listActive(rowMask, from, min(rows, from + ACTIVE_CHUNK));
      activeRows += n;
      let i = 0;
      for (; i + 4 <= n; i += 4) rows4(out, W, x, bias, rowBytes, act, listed(i), listed(i + 1), listed(i + 2), listed(i + 3));
      for (; i < n; i++) finish(out, bias, listed(i), dot(W + <usize>listed(i) * rowBytes, x, cols), act);
    }
  } else {
    for (let r = 0; r < rows; r++) {
      if (rowMask != 0 && load<u8>(rowMask + r) == 0) {
        store<f32>(out + (<usize>r << 2), 0);
        continue;
      }
      activeRows++;
      const w = W + <usize>r * rowBytes;
      let s: f32 = 0;
      for (let c = 0; c < cols; c++) {
        if (load<u8>(colMask + c) != 0) s += load<f32>(w + (<usize>c << 2)) * load<f32>(x + (<usize>c << 2));
      }
      finish(out, bias, r, s, act);
    }
  }
  countWork(<f64>activeRows * <f64>activeCols, weightBytes(activeRows, activeCols, bias));
  return activeRows;
}

/**
 * out[rows] = act(W · x + bias) over the columns whose u8 `colMask` entry is non-zero (0 = all),
 * with the weights given transposed: `Wt` is [cols, rows] (Wt[c·rows + r] = W[r, c]). `out` is the
 * accumulator: eight active columns at a time stream down their contiguous weight rows together,
 * adding x[c]·Wt[c, r..r+3] to four rows per step; a skipped column's weights are never read.
 * Counts active columns × rows.
 */
export function denseColsMasked(
  out: usize, Wt: usize, x: usize, bias: usize, rows: i32, cols: i32, act: i32, colMask: usize,
): void {
  const colBytes = <usize>rows << 2;
  const simdBytes = colBytes & ~15;
  memory.fill(out, 0, colBytes);
  let activeCols = 0;
  for (let c0 = 0; c0 < cols; c0 += ACTIVE_CHUNK) {
    const n = listActive(colMask, c0, min(cols, c0 + ACTIVE_CHUNK));
    activeCols += n;
    const listEnd = activeList + (<usize>n << 2);
    const eightsEnd = activeList + (<usize>(n & ~7) << 2);
    let p = activeList;
    for (; p < eightsEnd; p += 32) {
      const c0 = <usize>load<i32>(p), c1 = <usize>load<i32>(p, 4), c2 = <usize>load<i32>(p, 8);
      const c3 = <usize>load<i32>(p, 12), c4 = <usize>load<i32>(p, 16), c5 = <usize>load<i32>(p, 20);
      const c6 = <usize>load<i32>(p, 24), c7 = <usize>load<i32>(p, 28);
      const w0 = Wt + c0 * colBytes, w1 = Wt + c1 * colBytes, w2 = Wt + c2 * colBytes, w3 = Wt + c3 * colBytes;
      const w4 = Wt + c4 * colBytes, w5 = Wt + c5 * colBytes, w6 = Wt + c6 * colBytes, w7 = Wt + c7 * colBytes;
      const x0 = v128.load32_splat(x + (c0 << 2)), x1 = v128.load32_splat(x + (c1 << 2));
      const x2 = v128.load32_splat(x + (c2 << 2)), x3 = v128.load32_splat(x + (c3 << 2));
      const x4 = v128.load32_splat(x + (c4 << 2)), x5 = v128.load32_splat(x + (c5 << 2));
      const x6 = v128.load32_splat(x + (c6 << 2)), x7 = v128.load32_splat(x + (c7 << 2));
      let o: usize = 0;
      for (; o < simdBytes; o += 16) {
        const lo = madd4(v128.load(w3 + o), x3, madd4(v128.load(w2 + o), x2,
          madd4(v128.load(w1 + o), x1, f32x4.mul(v128.load(w0 + o), x0))));
        const hi = madd4(v128.load(w7 + o), x7, madd4(v128.load(w6 + o), x6,
          madd4(v128.load(w5 + o), x5, f32x4.mul(v128.load(w4 + o), x4))));
        v128.store(out + o, f32x4.add(v128.load(out + o), f32x4.add(lo, hi)));
      }
      for (; o < colBytes; o += 4) {
        store<f32>(out + o, load<f32>(out + o) +
          (load<f32>(w0 + o) * f32x4.extract_lane(x0, 0) + load<f32>(w1 + o) * f32x4.extract_lane(x1, 0) +
           load<f32>(w2 + o) * f32x4.extract_lane(x2, 0) + load<f32>(w3 + o) * f32x4.extract_lane(x3, 0)) +
          (load<f32>(w4 + o) * f32x4.extract_lane(x4, 0) + load<f32>(w5 + o) * f32x4.extract_lane(x5, 0) +
           load<f32>(w6 + o) * f32x4.extract_lane(x6, 0) + load<f32>(w7 + o) * f32x4.extract_lane(x7, 0)));
      }
    }
    for (; p < listEnd; p += 4) {
      const c = <usize>load<i32>(p);
      const w = Wt + c * colBytes;
      const xv = v128.load32_splat(x + (c << 2));
      let o: usize = 0;
      for (; o < simdBytes; o += 16) v128.store(out + o, madd4(v128.load(w + o), xv, v128.load(out + o)));
      for (; o < colBytes; o += 4) store<f32>(out + o, load<f32>(out + o) + load<f32>(w + o) * f32x4.extract_lane(xv, 0));
    }
  }
  for (let r = 0; r < rows; r++) finish(out, bias, r, load<f32>(out + (<usize>r << 2)), act);
  countWork(<f64>rows * <f64>activeCols, weightBytes(rows, activeCols, bias));
}

// Dense layers out = act(W·x + b), W row-major [rows, cols]. The SIMD kernel walks four rows at
// once (four independent f32x4 accumulators share each x load); columns past the last multiple
// of 4 are finished in scalar code. `out` must not overlap `x`; `bias` 0 means no bias.

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

/** out[rows] = act(W[rows, cols] · x[cols] + bias[rows]); act 0 none, 1 relu, 2 sigmoid, 3 tanh. */
export function dense(out: usize, W: usize, x: usize, bias: usize, rows: i32, cols: i32, act: i32): void {
  const rowBytes = <usize>cols << 2;
  const bytes = rowBytes;
  const simdBytes = bytes & ~15;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const w0 = W + <usize>r * rowBytes;
    const w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
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
    for (; o < bytes; o += 4) {
      const xs = load<f32>(x + o);
      s0 += load<f32>(w0 + o) * xs;
      s1 += load<f32>(w1 + o) * xs;
      s2 += load<f32>(w2 + o) * xs;
      s3 += load<f32>(w3 + o) * xs;
    }
    finish(out, bias, r, s0, act);
    finish(out, bias, r + 1, s1, act);
    finish(out, bias, r + 2, s2, act);
    finish(out, bias, r + 3, s3, act);
  }
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

/**
 * `dense` restricted to the rows and columns whose u8 mask entry is non-zero (mask pointer 0 =
 * all on). Skipped rows write 0 (a pruned channel is silent); skipped weights are never read,
 * and only the executed MACs and read bytes are counted.
 */
export function denseMasked(
  out: usize, W: usize, x: usize, bias: usize, rows: i32, cols: i32, act: i32,
  rowMask: usize, colMask: usize,
): void {
  if (rowMask == 0 && colMask == 0) {
    dense(out, W, x, bias, rows, cols, act);
    return;
  }
  let activeCols = cols;
  if (colMask != 0) {
    activeCols = 0;
    for (let c = 0; c < cols; c++) if (load<u8>(colMask + c) != 0) activeCols++;
  }
  const rowBytes = <usize>cols << 2;
  let activeRows = 0;
  for (let r = 0; r < rows; r++) {
    if (rowMask != 0 && load<u8>(rowMask + r) == 0) {
      store<f32>(out + (<usize>r << 2), 0);
      continue;
    }
    activeRows++;
    const w = W + <usize>r * rowBytes;
    let s: f32 = 0;
    if (colMask == 0) {
      s = dot(w, x, cols);
    } else {
      for (let c = 0; c < cols; c++) {
        if (load<u8>(colMask + c) != 0) s += load<f32>(w + (<usize>c << 2)) * load<f32>(x + (<usize>c << 2));
      }
    }
    finish(out, bias, r, s, act);
  }
  countWork(<f64>activeRows * <f64>activeCols, weightBytes(activeRows, activeCols, bias));
}

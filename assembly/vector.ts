// Element-wise vector kernels (f32, SIMD with scalar tails).

/** out[i] = a[i] + b[i]. `out` may alias `a` or `b`. */
export function vecAdd(out: usize, a: usize, b: usize, n: i32): void {
  const bytes = <usize>n << 2;
  const simdBytes = bytes & ~15;
  let o: usize = 0;
  for (; o < simdBytes; o += 16) v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  for (; o < bytes; o += 4) store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
}

/** out[i] = a[i] · b[i]. `out` may alias `a` or `b`. */
export function vecMul(out: usize, a: usize, b: usize, n: i32): void {
  const bytes = <usize>n << 2;
  const simdBytes = bytes & ~15;
  let o: usize = 0;
  for (; o < simdBytes; o += 16) v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  for (; o < bytes; o += 4) store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
}

/** Copies `n` f32 from `a` to `out` (overlap allowed). */
export function vecCopy(out: usize, a: usize, n: i32): void {
  memory.copy(out, a, <usize>n << 2);
}

/** Sets `n` f32 at `out` to `v`. */
export function vecFill(out: usize, v: f32, n: i32): void {
  const bytes = <usize>n << 2;
  const simdBytes = bytes & ~15;
  const splat = f32x4.splat(v);
  let o: usize = 0;
  for (; o < simdBytes; o += 16) v128.store(out + o, splat);
  for (; o < bytes; o += 4) store<f32>(out + o, v);
}

/** Replaces NaN and ±Infinity with 0 in place; returns how many values were replaced. */
export function sanitize(ptr: usize, n: i32): i32 {
  let replaced = 0;
  for (let i = 0; i < n; i++) {
    const p = ptr + (<usize>i << 2);
    // All exponent bits set means Inf or NaN.
    if ((load<u32>(p) & 0x7f800000) == 0x7f800000) {
      store<f32>(p, 0);
      replaced++;
    }
  }
  return replaced;
}

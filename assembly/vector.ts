// Vector kernels (f32, SIMD with scalar tails).

/** Sum of the four lanes of an f32x4. */
@inline export function sum4(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * acc + a·b per lane: one fused multiply-add in the relaxed-SIMD build (rounded once, or twice
 * where the CPU has no FMA), a multiply and an add in the SIMD build.
 */
@inline export function madd4(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/** Dot product of `cols` f32 at `w` and `x` (SIMD, two accumulators, scalar tail). */
@inline export function dot(w: usize, x: usize, cols: i32): f32 {
  const bytes = <usize>cols << 2;
  const pairBytes = bytes & ~31;
  const simdBytes = bytes & ~15;
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let o: usize = 0;
  for (; o < pairBytes; o += 32) {
    a0 = madd4(v128.load(w + o), v128.load(x + o), a0);
    a1 = madd4(v128.load(w + o, 16), v128.load(x + o, 16), a1);
  }
  for (; o < simdBytes; o += 16) a0 = madd4(v128.load(w + o), v128.load(x + o), a0);
  let s = sum4(f32x4.add(a0, a1));
  for (; o < bytes; o += 4) s += load<f32>(w + o) * load<f32>(x + o);
  return s;
}

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

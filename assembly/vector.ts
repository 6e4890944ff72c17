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

/**
 * Magnitudes below this flush to 0: 2^-64, about −385 dBFS, far below any converter's noise.
 * WASM has no flush-to-zero mode and x86 computes with subnormals (|x| < 2^-126) up to ~100×
 * slower; flushing below 2^-64 rather than 2^-126 also keeps the products of the DSP that follows
 * (window, FFT, resampler taps) clear of the subnormal range.
 */
const TINY: f32 = 5.421010862427522e-20;
const EXPONENT: i32 = 0x7f800000; // all exponent bits set: Inf or NaN

/** All-ones lanes where `v` is Inf or NaN. */
@inline function nonFinite4(v: v128): v128 {
  const exponent = i32x4.splat(EXPONENT);
  return i32x4.eq(v128.and(v, exponent), exponent);
}

/** `v` with its lanes below TINY in magnitude zeroed (NaN lanes too: they compare false). */
@inline function flush4(v: v128): v128 {
  return v128.and(v, f32x4.ge(f32x4.abs(v), f32x4.splat(TINY)));
}

/** Flushes the `n` f32 at `ptr` whose magnitude is below 2^-64 to 0 (recurrent state, see TINY). */
export function flushTiny(ptr: usize, n: i32): void {
  const bytes = <usize>n << 2;
  const simdBytes = bytes & ~15;
  let o: usize = 0;
  for (; o < simdBytes; o += 16) v128.store(ptr + o, flush4(v128.load(ptr + o)));
  for (; o < bytes; o += 4) if (!(Mathf.abs(load<f32>(ptr + o)) >= TINY)) store<f32>(ptr + o, 0);
}

/**
 * Replaces NaN and ±Infinity with 0 in place and flushes magnitudes below 2^-64 to 0 (see TINY);
 * returns how many non-finite values were replaced (flushed tiny values are not counted).
 */
export function sanitize(ptr: usize, n: i32): i32 {
  const bytes = <usize>n << 2;
  const simdBytes = bytes & ~15;
  let bad = i32x4.splat(0);
  let o: usize = 0;
  for (; o < simdBytes; o += 16) {
    const v = v128.load(ptr + o);
    const inf = nonFinite4(v);
    bad = i32x4.sub(bad, inf); // a true lane is −1
    v128.store(ptr + o, v128.andnot(flush4(v), inf));
  }
  let replaced = i32x4.extract_lane(bad, 0) + i32x4.extract_lane(bad, 1) +
    i32x4.extract_lane(bad, 2) + i32x4.extract_lane(bad, 3);
  for (; o < bytes; o += 4) {
    const x = load<f32>(ptr + o);
    const inf = (reinterpret<i32>(x) & EXPONENT) == EXPONENT;
    if (inf) replaced++;
    if (inf || !(Mathf.abs(x) >= TINY)) store<f32>(ptr + o, 0);
  }
  return replaced;
}

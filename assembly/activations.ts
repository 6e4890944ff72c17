// Activations for the dense, GRU and conv kernels, four lanes at a time. exp follows Cephes'
// expf (Cody-Waite reduction by ln 2, degree-7 polynomial, scale by 2^n through the exponent
// bits): about 1 ulp, so sigmoid and tanh stay within ~1e-7 of the f64 Math versions. Scalar
// callers go through the same code with a splat, so every path computes identical values.

export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_SIGMOID: i32 = 2;
export const ACT_TANH: i32 = 3;

/** e^x per lane; inputs are clamped to [−87, 88] (no overflow or denormals). */
@inline function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  // r = x − n·ln 2, with ln 2 split in two so the product is exact.
  const r = f32x4.add(f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375))), f32x4.mul(n, f32x4.splat(2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, scale);
}

/** Logistic sigmoid per lane. */
@inline export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/** tanh per lane, from e^(−2|x|) (never overflows), sign restored afterwards. */
@inline export function tanh4(x: v128): v128 {
  const one = f32x4.splat(1);
  const e = exp4(f32x4.mul(f32x4.abs(x), f32x4.splat(-2)));
  const magnitude = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  return v128.or(magnitude, v128.and(x, i32x4.splat(0x80000000)));
}

/** Activation code `act` (0 none, 1 relu, 2 sigmoid, 3 tanh) per lane. */
@inline export function activation4(v: v128, act: i32): v128 {
  // pmax is one instruction where max must order NaN and −0; x < 0 ? 0 : x still passes NaN on.
  if (act == ACT_RELU) return f32x4.pmax(v, f32x4.splat(0));
  if (act == ACT_SIGMOID) return sigmoid4(v);
  if (act == ACT_TANH) return tanh4(v);
  return v;
}

@inline export function sigmoid(x: f32): f32 {
  return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0);
}

@inline export function tanh(x: f32): f32 {
  return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0);
}

@inline export function activation(x: f32, act: i32): f32 {
  return act == ACT_NONE ? x : f32x4.extract_lane(activation4(f32x4.splat(x), act), 0);
}

/** Applies activation `act` in place to `n` f32 at `ptr`. */
export function activate(ptr: usize, n: i32, act: i32): void {
  // One loop per activation: with `act` a constant once inlined, the dispatch leaves the loop.
  if (act == ACT_RELU) activateWith(ptr, n, ACT_RELU);
  else if (act == ACT_SIGMOID) activateWith(ptr, n, ACT_SIGMOID);
  else if (act == ACT_TANH) activateWith(ptr, n, ACT_TANH);
}

@inline function activateWith(ptr: usize, n: i32, act: i32): void {
  const bytes = <usize>n << 2;
  const simdBytes = bytes & ~15;
  let o: usize = 0;
  for (; o < simdBytes; o += 16) v128.store(ptr + o, activation4(v128.load(ptr + o), act));
  for (; o < bytes; o += 4) store<f32>(ptr + o, activation(load<f32>(ptr + o), act));
}

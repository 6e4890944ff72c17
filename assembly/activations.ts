// Activations shared by the dense, GRU and conv kernels. Built on Mathf.exp (musl's expf, < 1 ulp),
// so sigmoid and tanh stay within ~1e-7 of the f64 Math versions.

export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_SIGMOID: i32 = 2;
export const ACT_TANH: i32 = 3;

/** Logistic sigmoid; saturates cleanly (exp overflow gives exactly 0). */
@inline export function sigmoid(x: f32): f32 {
  return 1.0 / (1.0 + Mathf.exp(-x));
}

/** tanh via exp of −2|x| (never overflows); the sign is restored afterwards. */
@inline export function tanh(x: f32): f32 {
  const e = Mathf.exp(-2.0 * Mathf.abs(x));
  return copysign<f32>((1.0 - e) / (1.0 + e), x);
}

/** Applies activation code `act` (0 none, 1 relu, 2 sigmoid, 3 tanh) to one value. */
@inline export function activation(v: f32, act: i32): f32 {
  if (act == ACT_RELU) return Mathf.max(v, 0);
  if (act == ACT_SIGMOID) return sigmoid(v);
  if (act == ACT_TANH) return tanh(v);
  return v;
}

/** Applies activation `act` in place to `n` f32 at `ptr`. */
export function activate(ptr: usize, n: i32, act: i32): void {
  if (act == ACT_NONE) return;
  for (let i = 0; i < n; i++) {
    const p = ptr + (<usize>i << 2);
    store<f32>(p, activation(load<f32>(p), act));
  }
}

// The two float boundaries of integer inference (docs/integer.md, "Float boundaries"): features to
// the first layer's input codes, a mask layer's output codes to f32 gains.

/** out[n] (i16) = sat_bits(⌊f32(x · invScale) + 0.5⌋), evaluated exactly in f64; NaN gives 0. */
export function quantizeInput(out: usize, x: usize, n: i32, invScale: f32, bits: i32): void {
  const top = <f64>((1 << (bits - 1)) - 1);
  for (let i = 0; i < n; i++) {
    const t = <f64>(load<f32>(x + (<usize>i << 2)) * invScale);
    const q = t != t ? 0 : Math.floor(t + 0.5);
    store<i16>(out + (<usize>i << 1), <i16>(q > top ? top : q < -top ? -top : q));
  }
}

/** out[n] (f32) = codes[n] (i16) · 2^−(bits−1), exact. */
export function dequantizeMask(out: usize, codes: usize, n: i32, bits: i32): void {
  const scale = reinterpret<f32>((128 - bits) << 23); // 2^(1−bits): biased exponent 127 + 1 − bits
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>load<i16>(codes + (<usize>i << 1)) * scale);
}

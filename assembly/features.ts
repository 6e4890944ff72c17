// Spectral features and masking on interleaved (re, im) spectra.

/** out[k] = log10(re² + im² + 1e-12) for `bins` bins of `spec`. */
export function logPower(spec: usize, out: usize, bins: i32): void {
  for (let k = 0; k < bins; k++) {
    const re = load<f32>(spec + (<usize>k << 3));
    const im = load<f32>(spec + (<usize>k << 3), 4);
    store<f32>(out + (<usize>k << 2), Mathf.log10(re * re + im * im + 1e-12));
  }
}

/** Multiplies bin k of `spec` (re and im) by mask[k], in place. */
export function applyMask(spec: usize, mask: usize, bins: i32): void {
  for (let k = 0; k < bins; k++) {
    const p = spec + (<usize>k << 3);
    const m = load<f32>(mask + (<usize>k << 2));
    store<f32>(p, load<f32>(p) * m);
    store<f32>(p, load<f32>(p, 4) * m, 4);
  }
}

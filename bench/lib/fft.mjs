/**
 * Small radix-2 FFT for real signals, enough for DTLN's 512-point blocks (its cost is negligible
 * next to the ONNX stages). NumPy conventions: forward unscaled, inverse divides by n.
 */

/**
 * @param {number} n power of two
 * @returns {{ forward(input: Float32Array, re: Float64Array, im: Float64Array): void,
 *             inverse(re: Float64Array, im: Float64Array, output: Float32Array): void }}
 *   `forward` writes n/2+1 bins; `inverse` reads n/2+1 bins (Hermitian symmetry assumed).
 */
export function createRealFft(n) {
  if (n < 2 || (n & (n - 1)) !== 0) throw new RangeError(`FFT size must be a power of two, got ${n}`);
  const bits = Math.log2(n);
  const reversed = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    reversed[i] = r;
  }
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = -Math.sin((2 * Math.PI * k) / n);
  }
  const workRe = new Float64Array(n);
  const workIm = new Float64Array(n);

  /** In-place complex FFT of workRe/workIm; `sign` −1 forward, +1 inverse (unscaled). */
  function transform(sign) {
    for (let i = 0; i < n; i++) {
      const j = reversed[i];
      if (j > i) {
        [workRe[i], workRe[j]] = [workRe[j], workRe[i]];
        [workIm[i], workIm[j]] = [workIm[j], workIm[i]];
      }
    }
    for (let size = 2; size <= n; size *= 2) {
      const half = size / 2;
      const stride = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * stride];
          const wi = -sign * sin[k * stride];
          const a = start + k;
          const b = a + half;
          const tr = workRe[b] * wr - workIm[b] * wi;
          const ti = workRe[b] * wi + workIm[b] * wr;
          workRe[b] = workRe[a] - tr;
          workIm[b] = workIm[a] - ti;
          workRe[a] += tr;
          workIm[a] += ti;
        }
      }
    }
  }

  return {
    forward(input, re, im) {
      for (let i = 0; i < n; i++) {
        workRe[i] = input[i];
        workIm[i] = 0;
      }
      transform(-1);
      for (let k = 0; k <= n / 2; k++) {
        re[k] = workRe[k];
        im[k] = workIm[k];
      }
    },
    inverse(re, im, output) {
      for (let k = 0; k <= n / 2; k++) {
        workRe[k] = re[k];
        workIm[k] = im[k];
      }
      for (let k = n / 2 + 1; k < n; k++) {
        workRe[k] = re[n - k];
        workIm[k] = -im[n - k];
      }
      transform(1);
      for (let i = 0; i < n; i++) output[i] = workRe[i] / n;
    },
  };
}

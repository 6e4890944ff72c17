/**
 * In-place radix-2 complex FFT in float64 for the measures (STOI spectra, cross-correlation).
 * Evaluation runs offline in JS, so clarity wins over speed here; the real-time path uses WASM.
 */

import { InvalidOptionError } from '../errors.js';

/** Smallest power of two that is at least `n`. */
export function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

/** cos and sin of 2πk/n for k < n/2, computed once per size. */
function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  let table = twiddleCache.get(n);
  if (!table) {
    table = { cos: new Float64Array(n / 2), sin: new Float64Array(n / 2) };
    for (let k = 0; k < n / 2; k++) {
      table.cos[k] = Math.cos((2 * Math.PI * k) / n);
      table.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    twiddleCache.set(n, table);
  }
  return table;
}

/**
 * Forward (e^{−2πikn/N}) or inverse (unscaled, e^{+2πikn/N}) FFT of `re`/`im` in place.
 * The length must be a power of two.
 */
export function fftInPlace(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (im.length !== n || n === 0 || (n & (n - 1)) !== 0) {
    throw new InvalidOptionError(`FFT length must be a power of two with matching real and imaginary parts, got ${n} and ${im.length}`);
  }
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const r = re[i]; re[i] = re[j]; re[j] = r;
      const m = im[i]; im[i] = im[j]; im[j] = m;
    }
  }
  if (n === 1) return;
  const { cos, sin } = twiddles(n);
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len *= 2) {
    const half = len / 2;
    const stride = n / len;
    for (let k = 0; k < half; k++) {
      const wr = cos[k * stride];
      const wi = sign * sin[k * stride];
      for (let start = k; start < n; start += len) {
        const other = start + half;
        const tr = re[other] * wr - im[other] * wi;
        const ti = re[other] * wi + im[other] * wr;
        re[other] = re[start] - tr;
        im[other] = im[start] - ti;
        re[start] += tr;
        im[start] += ti;
      }
    }
  }
}

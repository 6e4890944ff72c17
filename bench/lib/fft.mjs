/**
 * Real FFT for the harness (DTLN's 512-point blocks, the sanity check's cross-correlation), on
 * fft.js. NumPy conventions: forward unscaled, inverse divides by n.
 */
import FFT from 'fft.js';

/**
 * @param {number} n power of two
 * @returns {{ forward(input: Float32Array, re: Float64Array, im: Float64Array): void,
 *             inverse(re: Float64Array, im: Float64Array, output: Float32Array): void }}
 *   `forward` writes n/2+1 bins; `inverse` reads n/2+1 bins (Hermitian symmetry assumed).
 */
export function createRealFft(n) {
  if (n < 2 || (n & (n - 1)) !== 0) throw new RangeError(`FFT size must be a power of two, got ${n}`);
  const fft = new FFT(n);
  const spectrum = fft.createComplexArray(); // interleaved re, im
  const signal = fft.createComplexArray();

  return {
    forward(input, re, im) {
      fft.realTransform(spectrum, input); // fills bins 0..n/2, the rest follows by symmetry
      for (let k = 0; k <= n / 2; k++) {
        re[k] = spectrum[2 * k];
        im[k] = spectrum[2 * k + 1];
      }
    },
    inverse(re, im, output) {
      for (let k = 0; k <= n / 2; k++) {
        spectrum[2 * k] = re[k];
        spectrum[2 * k + 1] = im[k];
      }
      fft.completeSpectrum(spectrum);
      fft.inverseTransform(signal, spectrum);
      for (let i = 0; i < n; i++) output[i] = signal[2 * i];
    },
  };
}

/**
 * Is a denoiser's output sensible? Silence, NaN, clipped garbage or a misaligned output means the
 * harness (scaling, resampling, delay) is wrong, not that the peer is bad, so the benchmark runs
 * this before it scores anything.
 */
import { createRealFft } from './fft.mjs';
import { noisySpeechLike } from './synthetic.mjs';

/** Thresholds: loose enough for every real denoiser, tight enough to catch harness bugs. */
export const SANITY_LIMITS = {
  /** Output speech level at least this fraction of the clean level (−20 dB). */
  minSpeechLevel: 0.1,
  /** Output level at most this multiple of the noisy input level. */
  maxLevel: 2,
  /** Fraction of samples at or beyond full scale. */
  maxClippedFraction: 1e-3,
  /** Pearson correlation with the clean signal at zero lag. */
  minCorrelation: 0.5,
  /** The best-correlating lag must be within this many samples of zero. */
  maxLagSamples: 2,
  /** In speech pauses after the lead-in, the noise must drop by at least this factor (−3 dB). */
  maxPauseNoiseRatio: 0.707,
};

function rms(x, select) {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < x.length; i++) if (select(i)) (sum += x[i] * x[i]), count++;
  return Math.sqrt(sum / Math.max(1, count));
}

/** Pearson-style correlation of `a` and `b` at zero lag. */
function correlation(a, b) {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb || 1);
}

/**
 * Lag in ±maxLag (positive: `output` later than `clean`) with the largest cross-correlation,
 * computed through the FFT so the check stays fast even under Jest's slower module sandbox.
 */
function bestLag(output, clean, maxLag) {
  let size = 1;
  while (size < output.length + clean.length) size *= 2;
  const fft = createRealFft(size);
  const bins = size / 2 + 1;
  const spectrum = (x) => {
    const padded = new Float32Array(size);
    padded.set(x);
    const re = new Float64Array(bins);
    const im = new Float64Array(bins);
    fft.forward(padded, re, im);
    return { re, im };
  };
  const o = spectrum(output);
  const c = spectrum(clean);
  // O · conj(C) is the spectrum of the cross-correlation; lag L lands at index L mod size.
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    re[k] = o.re[k] * c.re[k] + o.im[k] * c.im[k];
    im[k] = o.im[k] * c.re[k] - o.re[k] * c.im[k];
  }
  const xcorr = new Float32Array(size);
  fft.inverse(re, im, xcorr);
  let best = 0;
  for (let lag = -maxLag; lag <= maxLag; lag++) if (xcorr[(lag + size) % size] > xcorr[(best + size) % size]) best = lag;
  return best;
}

/**
 * Checks `denoise` on the synthetic noisy-speech-like signal.
 * @param {(noisy: Float32Array) => Promise<Float32Array>} denoise 16 kHz in, aligned 16 kHz out
 * @returns {Promise<{ ok: boolean, failures: string[], metrics: Record<string, number> }>}
 */
export async function checkDenoiserSanity(denoise) {
  const { clean, noisy, speechActive, sampleRate } = noisySpeechLike();
  const output = await denoise(noisy);
  const failures = [];
  if (output.length !== noisy.length) failures.push(`output has ${output.length} samples, input ${noisy.length}`);
  const nonFinite = output.reduce((count, v) => count + (Number.isFinite(v) ? 0 : 1), 0);
  if (nonFinite > 0) return { ok: false, failures: [...failures, `${nonFinite} samples are NaN or infinite`], metrics: { nonFinite } };

  // Skip the first half second: the lead-in lets adaptive peers settle on the noise floor.
  const settled = sampleRate / 2;
  const inPause = (i) => i >= settled && !speechActive[i];
  const metrics = {
    speechLevel: rms(output, (i) => speechActive[i] === 1) / rms(clean, (i) => speechActive[i] === 1),
    level: rms(output, () => true) / rms(noisy, () => true),
    clippedFraction: output.reduce((count, v) => count + (Math.abs(v) >= 1 ? 1 : 0), 0) / output.length,
    correlation: correlation(output, clean),
    lag: bestLag(output, clean, 400),
    pauseNoiseRatio: rms(output, inPause) / rms(noisy, inPause),
  };
  const L = SANITY_LIMITS;
  if (!(metrics.speechLevel >= L.minSpeechLevel)) failures.push(`speech level ${metrics.speechLevel.toFixed(3)} of clean: output is (nearly) silent`);
  if (!(metrics.level <= L.maxLevel)) failures.push(`output level ${metrics.level.toFixed(2)}× the input: wrong input scale?`);
  if (!(metrics.clippedFraction <= L.maxClippedFraction)) failures.push(`${(100 * metrics.clippedFraction).toFixed(2)} % of samples at full scale`);
  if (!(metrics.correlation >= L.minCorrelation)) failures.push(`correlation with clean speech ${metrics.correlation.toFixed(3)} < ${L.minCorrelation}`);
  if (!(Math.abs(metrics.lag) <= L.maxLagSamples)) failures.push(`output lags the input by ${metrics.lag} samples: wrong delaySamples?`);
  if (!(metrics.pauseNoiseRatio <= L.maxPauseNoiseRatio)) failures.push(`noise in pauses only reduced to ${metrics.pauseNoiseRatio.toFixed(2)}× the input`);
  return { ok: failures.length === 0, failures, metrics };
}

/**
 * Offline, zero-phase polyphase resampler (Kaiser-windowed sinc) for whole signals.
 * The benchmark feeds 16 kHz test audio to 48 kHz peers; a poor resampler would be measured
 * instead of the peer, so the design targets >= 90 dB stop band with the transition band just
 * below the lower Nyquist frequency. Output sample m is the input at time m / outRate (no delay).
 */

const STOPBAND_DB = 90;
/** Pass band ends at this fraction of the lower Nyquist frequency; the stop band starts at it. */
const PASSBAND_FRACTION = 0.92;

function gcd(a, b) {
  return b === 0 ? a : gcd(b, a % b);
}

/** Zeroth-order modified Bessel function of the first kind (series; converges fast for beta < 20). */
function besselI0(x) {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Designs the low-pass prototype at the upsampled rate `up * inRate`.
 * @returns {{ taps: Float64Array, center: number }} odd-length linear-phase filter with gain `up`.
 */
function designFilter(up, down) {
  // Normalised to the upsampled rate: the lower Nyquist is 0.5 / max(up, down) cycles per sample.
  const nyquist = 0.5 / Math.max(up, down);
  const transition = nyquist * (1 - PASSBAND_FRACTION);
  const cutoff = nyquist - transition / 2;
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  // Kaiser's length estimate for the attenuation and transition width.
  let length = Math.ceil((STOPBAND_DB - 7.95) / (2.285 * 2 * Math.PI * transition)) + 1;
  if (length % 2 === 0) length += 1;
  const center = (length - 1) / 2;
  const taps = new Float64Array(length);
  const i0Beta = besselI0(beta);
  for (let n = 0; n < length; n++) {
    const t = n - center;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const r = t / center;
    taps[n] = up * sinc * (besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta);
  }
  return { taps, center };
}

/**
 * Resamples a whole signal from `inRate` to `outRate` (any rational ratio).
 * @param {Float32Array} input
 * @param {number} inRate
 * @param {number} outRate
 * @returns {Float32Array} `ceil(input.length * outRate / inRate)` samples, time-aligned with the input.
 */
export function resample(input, inRate, outRate) {
  if (inRate === outRate) return Float32Array.from(input);
  const g = gcd(inRate, outRate);
  const up = outRate / g;
  const down = inRate / g;
  const { taps, center } = designFilter(up, down);
  // Split the prototype into `up` phases so each output reads only the taps that meet input samples.
  const phaseLength = Math.ceil(taps.length / up);
  const phases = Array.from({ length: up }, (_, p) => {
    const phase = new Float64Array(phaseLength);
    for (let i = 0; i * up + p < taps.length; i++) phase[i] = taps[i * up + p];
    return phase;
  });
  const outLength = Math.ceil((input.length * up) / down);
  const output = new Float32Array(outLength);
  for (let m = 0; m < outLength; m++) {
    // Position on the upsampled grid, shifted by the filter centre so the result has zero delay.
    const position = m * down + center;
    const p = position % up;
    const newest = (position - p) / up; // input index met by tap p of this phase
    const phase = phases[p];
    let acc = 0;
    const first = Math.max(0, newest - input.length + 1);
    const last = Math.min(phaseLength - 1, newest);
    for (let i = first; i <= last; i++) acc += phase[i] * input[newest - i];
    output[m] = acc;
  }
  return output;
}

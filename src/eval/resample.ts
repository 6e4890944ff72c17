/**
 * Rational polyphase resampler for the measures, equal to pystoi's `resample_oct`: SciPy's
 * `resample_poly` with the anti-aliasing filter of Octave's `resample` (Kaiser-windowed sinc,
 * 60 dB rejection, roll-off 1/10 of the cut-off, normalised to unit DC gain). STOI reference
 * values depend on this exact filter, so it is reproduced rather than replaced.
 */

import { InvalidOptionError } from '../errors.js';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges for |x| ≲ 30). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const quarterSquare = (x * x) / 4;
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
  }
  return sum;
}

function sinc(x: number): number {
  return x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
}

/** Octave's anti-aliasing filter for up/down factors `up`/`down` (already reduced), scaled to DC gain `up`. */
function octaveFilter(up: number, down: number): Float64Array {
  const rejectionDb = 60;
  const cutoff = 1 / (2 * Math.max(up, down));
  const rollOff = cutoff / 10;
  const half = Math.ceil((rejectionDb - 8) / (28.714 * rollOff));
  const beta = 0.1102 * (rejectionDb - 8.7); // Kaiser's formula for rejection above 50 dB
  const taps = new Float64Array(2 * half + 1);
  const i0Beta = besselI0(beta);
  let sum = 0;
  for (let n = 0; n < taps.length; n++) {
    const ramp = (2 * n) / (taps.length - 1) - 1;
    const kaiser = besselI0(beta * Math.sqrt(Math.max(0, 1 - ramp * ramp))) / i0Beta;
    taps[n] = kaiser * 2 * up * cutoff * sinc(2 * cutoff * (n - half));
    sum += taps[n];
  }
  for (let n = 0; n < taps.length; n++) taps[n] *= up / sum;
  return taps;
}

const filterCache = new Map<string, Float64Array>();

/**
 * Resamples `input` from `fromRate` to `toRate` (any integer rates). The output has
 * ceil(length · toRate / fromRate) samples, time-aligned with the input (zero-phase filter,
 * zeros assumed outside the signal), as `scipy.signal.resample_poly` returns it.
 */
export function resample(input: ArrayLike<number>, fromRate: number, toRate: number): Float64Array {
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
    throw new InvalidOptionError(`sample rates must be positive integers, got ${fromRate} → ${toRate}`);
  }
  const divisor = gcd(fromRate, toRate);
  const up = toRate / divisor;
  const down = fromRate / divisor;
  if (up === 1 && down === 1) return Float64Array.from(input);
  const key = `${up}/${down}`;
  let filter = filterCache.get(key);
  if (!filter) {
    filter = octaveFilter(up, down);
    filterCache.set(key, filter);
  }
  const half = (filter.length - 1) / 2;
  const outLength = Math.ceil((input.length * up) / down);
  const output = new Float64Array(outLength);
  // out[m] = Σ_n x[n] · h[half + m·down − n·up]: the filter centred on output time m·down.
  for (let m = 0; m < outLength; m++) {
    const centre = half + m * down;
    const firstN = Math.max(0, Math.ceil((centre - (filter.length - 1)) / up));
    const lastN = Math.min(input.length - 1, Math.floor(centre / up));
    let acc = 0;
    for (let n = firstN, tap = centre - firstN * up; n <= lastN; n++, tap -= up) acc += input[n] * filter[tap];
    output[m] = acc;
  }
  return output;
}

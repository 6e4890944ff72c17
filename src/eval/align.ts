/**
 * Delay compensation: a denoiser's output lags its input by its algorithmic latency, and the
 * reference-based measures are meaningless unless the two signals are lined up first.
 */

import { InvalidOptionError } from '../errors.js';
import { fftInPlace, nextPowerOfTwo } from './fft.js';

/**
 * The lag (in samples, within ±`maxLag`) that maximises the cross-correlation
 * Σₙ estimate[n + lag] · reference[n]; positive when the estimate is late. Computed by FFT.
 */
export function estimateDelay(reference: ArrayLike<number>, estimate: ArrayLike<number>, maxLag: number): number {
  if (!Number.isInteger(maxLag) || maxLag < 0) {
    throw new InvalidOptionError(`maxLag must be a non-negative integer number of samples, got ${maxLag}`);
  }
  if (reference.length === 0 || estimate.length === 0) {
    throw new InvalidOptionError('cannot align an empty signal');
  }
  const size = nextPowerOfTwo(reference.length + estimate.length - 1);
  const refRe = new Float64Array(size);
  const refIm = new Float64Array(size);
  const estRe = new Float64Array(size);
  const estIm = new Float64Array(size);
  refRe.set(Float64Array.from(reference));
  estRe.set(Float64Array.from(estimate));
  fftInPlace(refRe, refIm);
  fftInPlace(estRe, estIm);
  // EST · conj(REF) transforms back to the circular cross-correlation, lag l at index l mod size.
  for (let k = 0; k < size; k++) {
    const re = estRe[k] * refRe[k] + estIm[k] * refIm[k];
    const im = estIm[k] * refRe[k] - estRe[k] * refIm[k];
    estRe[k] = re;
    estIm[k] = im;
  }
  fftInPlace(estRe, estIm, true);
  const lowest = -Math.min(maxLag, reference.length - 1);
  const highest = Math.min(maxLag, estimate.length - 1);
  let best = 0;
  let bestValue = -Infinity;
  for (let lag = lowest; lag <= highest; lag++) {
    const value = estRe[(lag + size) % size];
    if (value > bestValue || (value === bestValue && Math.abs(lag) < Math.abs(best))) {
      best = lag;
      bestValue = value;
    }
  }
  return best;
}

/** Two signals lined up sample for sample, and the delay that was removed. */
export interface AlignedPair {
  reference: Float32Array;
  estimate: Float32Array;
  /** Samples the estimate lagged the reference (negative: it led). */
  delaySamples: number;
}

/**
 * Shifts `estimate` by its estimated delay against `reference` (searched within ±`maxLag`
 * samples) and trims both to their common length.
 */
export function alignSignals(reference: Float32Array, estimate: Float32Array, maxLag: number): AlignedPair {
  const delaySamples = estimateDelay(reference, estimate, maxLag);
  const ref = delaySamples < 0 ? reference.subarray(-delaySamples) : reference;
  const est = delaySamples > 0 ? estimate.subarray(delaySamples) : estimate;
  const length = Math.min(ref.length, est.length);
  return { reference: ref.subarray(0, length), estimate: est.subarray(0, length), delaySamples };
}

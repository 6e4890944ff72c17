/**
 * Scale-invariant signal-to-distortion ratio (Le Roux, Wisdom, Erdogan, Hershey, "SDR — half-baked
 * or well done?", ICASSP 2019), with both signals made zero-mean first.
 */

import { InvalidOptionError } from '../errors.js';

const EPS = 2.220446049250313e-16; // keeps a perfect estimate finite, as torchmetrics does

/**
 * SI-SDR in dB of `estimate` against `reference` (equal lengths): the estimate is split into the
 * scaled reference α·s (α = ⟨ŝ, s⟩ / ⟨s, s⟩) and the rest; the ratio of their energies.
 * Throws InvalidOptionError for empty, unequal-length or silent references.
 */
export function sisdr(reference: ArrayLike<number>, estimate: ArrayLike<number>): number {
  const n = reference.length;
  if (n === 0 || estimate.length !== n) {
    throw new InvalidOptionError(`SI-SDR needs two non-empty signals of equal length, got ${n} and ${estimate.length} samples`);
  }
  let meanRef = 0;
  let meanEst = 0;
  for (let i = 0; i < n; i++) { meanRef += reference[i]; meanEst += estimate[i]; }
  meanRef /= n;
  meanEst /= n;
  let dot = 0;
  let refEnergy = 0;
  let rawEnergy = 0;
  for (let i = 0; i < n; i++) {
    const s = reference[i] - meanRef;
    dot += (estimate[i] - meanEst) * s;
    refEnergy += s * s;
    rawEnergy += reference[i] * reference[i];
  }
  // Relative test: removing the mean of a constant leaves only rounding noise.
  if (refEnergy <= EPS * rawEnergy) throw new InvalidOptionError('SI-SDR is undefined for a silent (constant) reference signal');
  const alpha = dot / refEnergy;
  let targetEnergy = 0;
  let residualEnergy = 0;
  for (let i = 0; i < n; i++) {
    const target = alpha * (reference[i] - meanRef);
    targetEnergy += target * target;
    residualEnergy += (estimate[i] - meanEst - target) ** 2;
  }
  return 10 * Math.log10((targetEnergy + EPS) / (residualEnergy + EPS));
}

// The signal path on either side of the model, one call each per hop: analysis and features
// before the policy decides, masking and synthesis after the model ran.

import { applyMask, logPower } from './features';
import { stftAnalyze, stftHop, stftSynthesize } from './stft';
import { sanitize } from './vector';

/** Pushes one hop into the STFT, writes the frame's spectrum and its `bins` log-power features. */
export function analyzeHop(st: usize, hopIn: usize, spectrum: usize, features: usize, bins: i32): void {
  stftAnalyze(st, hopIn, spectrum);
  logPower(spectrum, features, bins);
}

/**
 * Masks `spectrum` with `mask` and overlap-adds one hop into `hopOut`. Non-finite gains are muted
 * first and counted (the return value: the host then resets the model state they came from);
 * non-finite output samples, which only an overflowing input can produce, become 0.
 */
export function synthesizeHop(st: usize, spectrum: usize, mask: usize, bins: i32, hopOut: usize): i32 {
  const bad = sanitize(mask, bins);
  applyMask(spectrum, mask, bins);
  stftSynthesize(st, spectrum, hopOut);
  sanitize(hopOut, stftHop(st));
  return bad;
}

/**
 * The adaptive policy's difficulty signal, read off a frame the model has already run: the power
 * spectrum split by the exit's own mask into what it keeps (speech) and what it removes (noise).
 * 161 multiply-adds per frame, no extra model layers.
 */
import type { FrameInfo } from './types.js';

/** Σ|X|² over the bins of a signal with RMS 1 (sqrt-Hann 320: Σ_k |X_k|² ≈ N · N/2 / 2 · rms²). */
export const FULL_SCALE_POWER = 25600;

/** Power a frame's mask keeps and removes (same units as {@link FULL_SCALE_POWER}). */
export interface MaskSplit {
  speech: number;
  noise: number;
}

/** Writes into `out` Σ P·m (speech) and Σ P·(1 − m) (noise) of the frame, P = |X|², m = its mask. */
export function splitByMask(frame: FrameInfo, out: MaskSplit): void {
  const { heap, spectrum, mask, bins } = frame;
  let speech = 0;
  let noise = 0;
  for (let k = 0; k < bins; k++) {
    const re = heap[spectrum + 2 * k];
    const im = heap[spectrum + 2 * k + 1];
    const power = re * re + im * im;
    const gain = heap[mask + k];
    speech += power * gain;
    noise += power * (1 - gain);
  }
  out.speech = speech;
  out.noise = noise;
}

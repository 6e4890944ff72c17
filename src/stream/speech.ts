/**
 * Per-frame speech presence where a model has no speech-presence head (header `speechPresence`;
 * with one, the engine reports the head's output instead). Derived from the mask:
 * r = Σ P·m² / Σ P, the share of the frame's 100 Hz–4 kHz energy the mask keeps, mapped through a
 * logistic in decibels, p = 1 / (1 + exp(−(10·log10 r + 18) / 2.5)) (0.5 at −18 dB), and 0 for
 * a frame 60 dB below a full-scale signal of RMS 1. The midpoint and slope were read off the
 * step-16694 nsnet-ee (recipe v1, no head) on bench/lib/synthetic.mjs speech-like audio in white
 * noise at 5 dB SNR: speech frames' r has its 25th percentile at −11 dB, noise-only frames' its
 * 95th at −26 dB (seed 3; tests/speech-presence.test.ts checks the shipped model's mask, head
 * undeclared, at another seed at 10 dB). docs/browser.md, "Speech presence".
 */

/** Bins of the 161-bin, 50 Hz spectrum the estimate looks at: 100 Hz up to 4 kHz. */
const FROM_BIN = 2;
const TO_BIN = 80;
/** Σ P over all bins is 25600 for a full-scale signal of RMS 1 (docs/internals.md): −60 dB of that. */
const SILENCE_POWER = 25600 * 1e-6;
/** Logistic midpoint and slope over the kept share in dB. */
const MIDPOINT_DB = -18;
const SLOPE_DB = 2.5;

/**
 * Speech probability of one frame in [0, 1] from its unmasked spectrum (interleaved re, im at f32
 * index `spectrum` of `heap`) and its mask (at `mask`). A non-finite gain counts as 0.
 */
export function maskSpeechProbability(heap: Float32Array, spectrum: number, mask: number): number {
  let power = 0;
  let kept = 0;
  for (let k = FROM_BIN; k < TO_BIN; k++) {
    const re = heap[spectrum + 2 * k];
    const im = heap[spectrum + 2 * k + 1];
    const p = re * re + im * im;
    const m = heap[mask + k];
    power += p;
    if (Number.isFinite(m)) kept += p * Math.min(1, m * m);
  }
  if (!(power > SILENCE_POWER)) return 0;
  const keptDb = 10 * Math.log10(kept / power + 1e-12);
  return 1 / (1 + Math.exp(-(keptDb - MIDPOINT_DB) / SLOPE_DB));
}

/** What the denoiser tells a frame listener about each model frame (one object, reused: copy what you keep). */
export interface FrameReport {
  /** Audio channel (0-based). */
  channel: number;
  /** Frames this channel has run since the stream (re)started. */
  frame: number;
  /** The exit the frame ran through. */
  exit: number;
  /** Speech probability in [0, 1]: the model's speech-presence head, or derived from the mask ({@link maskSpeechProbability}). */
  speechProbability: number;
  /** Per gate of the model (`denoiser.gates`), the share of its channels that ran in this frame; NaN where the frame skipped the gate. */
  gateShares: Float32Array;
}

/** Called once per model frame and channel, during `process`. */
export type FrameListener = (frame: FrameReport) => void;

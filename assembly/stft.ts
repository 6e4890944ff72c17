// Streaming STFT with a periodic sqrt-Hann window at 50 % overlap (docs/internals.md, "STFT
// convention"): analysis frames hold the last `win` input samples, synthesis overlap-adds
// w · irfft(Y), so a unit mask reproduces the input delayed by win − hop samples.

import { alloc, allocF32 } from './memory';
import { fftPlan, irfft, rfft } from './fft';
import { vecAdd, vecFill, vecMul } from './vector';

@unmanaged class Stft {
  win: i32;
  hop: i32;
  plan: usize;
  window: usize;   // f32[win]
  history: usize;  // f32[win]: the input samples of the current frame
  frame: usize;    // f32[win] scratch
  overlap: usize;  // f32[win]: overlap-add accumulator, first `hop` samples are complete
}

/**
 * Creates an STFT of window/FFT length `win` and hop `hop` (win = 2·hop, win a supported FFT
 * length, e.g. 320/160). Returns 0 for other shapes.
 */
export function stftCreate(win: i32, hop: i32): usize {
  if (hop <= 0 || win != 2 * hop) return 0;
  const plan = fftPlan(win);
  if (plan == 0) return 0;
  const ptr = alloc(offsetof<Stft>(), 16);
  if (ptr == 0) return 0;
  const st = changetype<Stft>(ptr);
  st.win = win;
  st.hop = hop;
  st.plan = plan;
  st.window = allocF32(win);
  st.history = allocF32(win);
  st.frame = allocF32(win);
  st.overlap = allocF32(win);
  if (st.window == 0 || st.history == 0 || st.frame == 0 || st.overlap == 0) return 0;
  for (let i = 0; i < win; i++) {
    const w = Math.sqrt(0.5 - 0.5 * Math.cos(2 * Math.PI * <f64>i / <f64>win));
    store<f32>(st.window + (<usize>i << 2), <f32>w);
  }
  return ptr;
}

/** Pushes `hop` new samples and writes the frame's win/2+1 complex bins to `specOut`. */
export function stftAnalyze(stPtr: usize, hopIn: usize, specOut: usize): void {
  const st = changetype<Stft>(stPtr);
  const keep = <usize>(st.win - st.hop) << 2;
  memory.copy(st.history, st.history + (<usize>st.hop << 2), keep);
  memory.copy(st.history + keep, hopIn, <usize>st.hop << 2);
  vecMul(st.frame, st.history, st.window, st.win);
  rfft(st.plan, st.frame, specOut);
}

/** Inverse-transforms `specIn` (unchanged), windows, overlap-adds and emits `hop` samples. */
export function stftSynthesize(stPtr: usize, specIn: usize, hopOut: usize): void {
  const st = changetype<Stft>(stPtr);
  irfft(st.plan, specIn, st.frame);
  vecMul(st.frame, st.frame, st.window, st.win);
  vecAdd(st.overlap, st.overlap, st.frame, st.win);
  const hopBytes = <usize>st.hop << 2;
  memory.copy(hopOut, st.overlap, hopBytes);
  memory.copy(st.overlap, st.overlap + hopBytes, <usize>(st.win - st.hop) << 2);
  vecFill(st.overlap + (<usize>(st.win - st.hop) << 2), 0, st.hop);
}

/** Samples per hop of the STFT at `stPtr`. */
export function stftHop(stPtr: usize): i32 {
  return changetype<Stft>(stPtr).hop;
}

/** Clears the analysis history and the overlap-add accumulator (a new stream starts). */
export function stftReset(stPtr: usize): void {
  const st = changetype<Stft>(stPtr);
  vecFill(st.history, 0, st.win);
  vecFill(st.overlap, 0, st.win);
}

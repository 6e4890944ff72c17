// The band above the model's 8 kHz at stream rates above 16 kHz (docs/fullband.md). The model
// path returns only what survives the resamplers (stream → 16 kHz → stream). Its complement,
// the input delayed exactly like the model path minus the same input sent through that path
// unmasked, is everything above it; this file adds that complement back, scaled by a gain the
// model's mask drives, crossfaded between frames the way the iSTFT's overlap-add crossfades masks.
//
// Per channel: highbandPush(stream-rate input) before the block's hops run; per hop
// highbandGain(spectrum, mask) before the mask is applied, then highbandMix(out, ref, n) on the
// hop's resampled output, where `ref` is the same hop's input one hop back (the STFT's delay)
// sent through a second 16 kHz → stream-rate resampler of the same design.

import { alloc, allocF32 } from './memory';

const HALF_TAPS: i32 = 24; // fractional-delay FIR half length (48 taps)
const KAISER_BETA: f64 = 8.0;
const MODEL_RATE: f64 = 16000;
const MODEL_HOP: f64 = 160;

@unmanaged class Highband {
  rate: f64;       // stream rate
  delayInt: i32;   // integer part of the delay, stream samples
  taps: i32;       // FIR taps (1 when the delay is whole)
  fir: usize;      // f32[taps]: tap k weighs input (j − delayInt − (k − HALF_TAPS + 1))
  ring: usize;     // f32[ringSize], absolute input index i at i & ringMask
  ringMask: i32;
  written: f64;    // inputs pushed since reset (f64: exact integers for 2^53 samples)
  emitted: f64;    // outputs mixed since reset
  modelDelay: f64; // 16 kHz-rate samples by which the output resampler lags its input
  frames: i32;     // frames whose gain has arrived since reset
  gPrev: f32;      // gain of the frame before `gLast`
  gLast: f32;      // gain of the newest frame
  gOld: f32;       // gain of the frame before `gPrev`
}

function besselI0(x: f64): f64 {
  const q = 0.25 * x * x;
  let term: f64 = 1;
  let sum: f64 = 1;
  for (let k = 1; term > 1e-17 * sum; k++) {
    term *= q / (<f64>k * <f64>k);
    sum += term;
  }
  return sum;
}

/**
 * Creates the high-band state of one channel at stream rate `rate`: `delay` is the model path's
 * signal delay in stream samples (may be fractional), `outDelay` the output resampler's group
 * delay in 16 kHz samples, `maxLag` the most stream samples the input can run ahead of the output
 * (sizes the input ring). Returns 0 when memory cannot grow.
 */
export function highbandCreate(rate: i32, delay: f64, outDelay: i32, maxLag: i32): usize {
  const ptr = alloc(offsetof<Highband>(), 16);
  if (ptr == 0) return 0;
  const hb = changetype<Highband>(ptr);
  hb.rate = <f64>rate;
  hb.modelDelay = <f64>outDelay;
  hb.delayInt = <i32>Math.floor(delay);
  const frac = delay - <f64>hb.delayInt;
  hb.taps = frac == 0 ? 1 : 2 * HALF_TAPS;
  hb.fir = allocF32(hb.taps);
  let size = 1;
  while (size < maxLag + hb.delayInt + hb.taps + 2) size <<= 1;
  hb.ring = allocF32(size);
  hb.ringMask = size - 1;
  if (hb.fir == 0 || hb.ring == 0) return 0;
  if (hb.taps == 1) {
    store<f32>(hb.fir, 1);
  } else {
    // Windowed sinc centred `frac` samples after tap HALF_TAPS − 1: x(j − delay) by interpolation.
    const norm = besselI0(KAISER_BETA);
    for (let k = 0; k < hb.taps; k++) {
      const t = <f64>(k - HALF_TAPS + 1) - frac;
      const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
      const r = t / <f64>HALF_TAPS;
      const w = besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
      store<f32>(hb.fir + (<usize>k << 2), <f32>(sinc * w));
    }
  }
  highbandReset(ptr);
  return ptr;
}

/** Back to the stream start: empty history, no frames, unity gain. */
export function highbandReset(hbPtr: usize): void {
  const hb = changetype<Highband>(hbPtr);
  memory.fill(hb.ring, 0, <usize>(hb.ringMask + 1) << 2);
  hb.written = 0;
  hb.emitted = 0;
  hb.frames = 0;
  hb.gOld = 1;
  hb.gPrev = 1;
  hb.gLast = 1;
}

/** Appends `n` stream-rate input samples (already sanitized) to the channel's history. */
export function highbandPush(hbPtr: usize, input: usize, n: i32): void {
  const hb = changetype<Highband>(hbPtr);
  const mask = hb.ringMask;
  let w = <i32>(<i64>hb.written & <i64>mask);
  for (let i = 0; i < n; i++) {
    store<f32>(hb.ring + (<usize>w << 2), load<f32>(input + (<usize>i << 2)));
    w = (w + 1) & mask;
  }
  hb.written += <f64>n;
}

/**
 * The next frame's high-band gain from its unmasked `spectrum` (interleaved re, im) and `mask`
 * over bins [from, to): sqrt(Σ P·m² / Σ P), the amplitude gain the mask gives that band's energy
 * (1 for a silent band, 0 for a non-finite mask, which the synthesis mutes too). Returns it.
 */
export function highbandGain(hbPtr: usize, spectrum: usize, mask: usize, from: i32, to: i32): f32 {
  const hb = changetype<Highband>(hbPtr);
  let power: f64 = 0;
  let kept: f64 = 0;
  for (let k = from; k < to; k++) {
    const re = <f64>load<f32>(spectrum + (<usize>k << 3));
    const im = <f64>load<f32>(spectrum + (<usize>k << 3), 4);
    const m = <f64>load<f32>(mask + (<usize>k << 2));
    const p = re * re + im * im;
    power += p;
    kept += p * m * m;
  }
  let g: f32 = power > 0 ? <f32>Math.sqrt(kept / power) : 1;
  if (!isFinite(g)) g = 0;
  g = min<f32>(g, 1);
  hb.gOld = hb.frames == 0 ? g : hb.gPrev;
  hb.gPrev = hb.frames == 0 ? g : hb.gLast;
  hb.gLast = g;
  hb.frames++;
  return g;
}

/** Gain at 16 kHz-rate hop-output time `m` (hop t covers [160t, 160t + 160)), `t` the newest hop. */
@inline function gainAt(hb: Highband, m: f64, newest: f64): f32 {
  // Hop t crossfades frame t − 1's mask into frame t's with the squared sqrt-Hann window, as the
  // overlap-add does; only hops t and t − 1 can be due (the resampler lags less than a hop).
  const t = Math.floor(m / MODEL_HOP);
  const u = (m - t * MODEL_HOP) / MODEL_HOP;
  const rise = <f32>(0.5 - 0.5 * Math.cos(Math.PI * u));
  const from = t >= newest ? hb.gPrev : hb.gOld;
  const to = t >= newest ? hb.gLast : hb.gPrev;
  return from + (to - from) * rise;
}

/**
 * Adds the gained high band to the `n` stream-rate samples of `out` that the newest hop produced:
 * out[i] += G·(x(j − delay) − ref[i]) for output index j = emitted + i, where `ref` is the model
 * path's unmasked output for the same samples.
 */
export function highbandMix(hbPtr: usize, out: usize, ref: usize, n: i32): void {
  const hb = changetype<Highband>(hbPtr);
  const mask = hb.ringMask;
  const taps = hb.taps;
  const step = MODEL_RATE / hb.rate;
  const newest = <f64>(hb.frames - 1);
  const base = <i64>hb.emitted - <i64>hb.delayInt + <i64>(taps == 1 ? 0 : HALF_TAPS - 1);
  for (let i = 0; i < n; i++) {
    // Tap k reads input (j − delayInt + HALF_TAPS − 1 − k); newest input first.
    let x: f32 = 0;
    const first = base + <i64>i;
    for (let k = 0; k < taps; k++) {
      const idx = <i32>((first - <i64>k) & <i64>mask);
      x += load<f32>(hb.fir + (<usize>k << 2)) * load<f32>(hb.ring + (<usize>idx << 2));
    }
    const m = (hb.emitted + <f64>i) * step - hb.modelDelay;
    const g = gainAt(hb, m, newest);
    const p = out + (<usize>i << 2);
    store<f32>(p, load<f32>(p) + g * (x - load<f32>(ref + (<usize>i << 2))));
  }
  hb.emitted += <f64>n;
}

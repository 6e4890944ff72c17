// Streaming polyphase resampler by the rational ratio L/M = outRate/inRate (reduced by gcd).
// Prototype: a Kaiser-windowed sinc at the upsampled rate inRate·L, cut off at 0.95 of the lower
// Nyquist (passband to 0.9, stop band from 1.0 of it, 90 dB design for ≥ 80 dB measured), of
// length 2·L·D + 1 centred on L·D, so the group delay is exactly D input samples. It is stored as
// L phases of T = 2D + 1 taps, reversed, so each output is one contiguous dot product with the
// last T inputs (kept in a doubled ring buffer that always holds them contiguously).

import { alloc, allocF32 } from './memory';
import { dot } from './vector';

const DESIGN_ATTENUATION_DB: f64 = 90;
const CUTOFF: f64 = 0.95; // of the lower Nyquist: centre of the 0.9 … 1.0 transition band
const TRANSITION: f64 = 0.1; // of the lower Nyquist

@unmanaged class Resampler {
  up: i32;        // L
  down: i32;      // M
  taps: i32;      // T per phase
  delay: i32;     // D input samples
  table: usize;   // f32[L][T], phase p tap t' = h[p + (T−1−t')·L]; shared by the rate pair
  history: usize; // f32[2T] doubled ring of the last T inputs
  pos: i32;       // ring position: the last T inputs are history[pos … pos+T)
  phase: i32;     // phase of the next output
  pending: i32;   // inputs still to push before the next output is due
}

const RATES: i32 = 7;

/** Index of a supported rate (8000, 16000, 22050, 24000, 32000, 44100, 48000), −1 otherwise. */
function rateIndex(rate: i32): i32 {
  switch (rate) {
    case 8000: return 0;
    case 16000: return 1;
    case 22050: return 2;
    case 24000: return 3;
    case 32000: return 4;
    case 44100: return 5;
    case 48000: return 6;
    default: return -1;
  }
}

/**
 * Filter tables by rate pair (RATES² pointers, 0 = not built yet). A table is immutable once
 * filled, so every resampler of one pair shares it and holds only its own history: at 44.1 kHz a
 * table is ~200 KB, which would otherwise dominate the memory of each extra stream.
 */
let tableCache: usize = 0;

/** Address of the cache slot of (inRate, outRate), or 0 when memory ran out. */
function tableSlot(inRate: i32, outRate: i32): usize {
  if (tableCache == 0) tableCache = alloc(RATES * RATES * sizeof<usize>(), 16);
  if (tableCache == 0) return 0;
  return tableCache + <usize>(rateIndex(inRate) * RATES + rateIndex(outRate)) * sizeof<usize>();
}

function gcd(a: i32, b: i32): i32 {
  while (b != 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series). */
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

/** Fills the reversed polyphase table with the normalised Kaiser-windowed sinc (gain L). */
function fillTable(rs: Resampler, lowRate: f64, inRate: f64): void {
  const L = rs.up;
  const T = rs.taps;
  const length = 2 * L * rs.delay + 1;
  const centre = <f64>(L * rs.delay);
  const fc = CUTOFF * 0.5 * lowRate / (inRate * <f64>L); // cycles per upsampled sample
  const beta = 0.1102 * (DESIGN_ATTENUATION_DB - 8.7);
  const norm = besselI0(beta);
  let sum: f64 = 0;
  for (let n = 0; n < length; n++) {
    const t = <f64>n - centre;
    const sinc = t == 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const r = t / centre;
    sum += sinc * besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
  }
  const gain = <f64>L / sum;
  for (let n = 0; n < length; n++) {
    const t = <f64>n - centre;
    const sinc = t == 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const r = t / centre;
    const h = gain * sinc * besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / norm;
    const p = n % L;
    const tap = n / L;
    store<f32>(rs.table + (<usize>(p * T + (T - 1 - tap)) << 2), <f32>h);
  }
}

/**
 * Creates a resampler from `inRate` to `outRate` (each one of 8000, 16000, 22050, 24000, 32000,
 * 44100, 48000; equal rates pass samples through). Returns 0 for other rates.
 */
export function resamplerCreate(inRate: i32, outRate: i32): usize {
  if (rateIndex(inRate) < 0 || rateIndex(outRate) < 0) return 0;
  const ptr = alloc(offsetof<Resampler>(), 16);
  if (ptr == 0) return 0;
  const rs = changetype<Resampler>(ptr);
  const g = gcd(inRate, outRate);
  rs.up = outRate / g;
  rs.down = inRate / g;
  if (rs.up != rs.down) {
    // Kaiser: length ≈ (A − 7.95) / (14.36 · Δf / fs), fs = inRate·L, Δf = TRANSITION · lowRate / 2.
    const lowRate = <f64>min(inRate, outRate);
    const length = (DESIGN_ATTENUATION_DB - 7.95) * <f64>inRate * <f64>rs.up / (14.36 * TRANSITION * 0.5 * lowRate);
    rs.delay = <i32>Math.ceil(length / (2 * <f64>rs.up));
    rs.taps = 2 * rs.delay + 1;
    const slot = tableSlot(inRate, outRate);
    rs.history = allocF32(2 * rs.taps);
    if (slot == 0 || rs.history == 0) return 0;
    rs.table = load<usize>(slot);
    if (rs.table == 0) {
      rs.table = allocF32(rs.up * rs.taps);
      if (rs.table == 0) return 0;
      fillTable(rs, lowRate, <f64>inRate);
      store<usize>(slot, rs.table);
    }
  }
  resamplerReset(ptr);
  return ptr;
}

/** Clears the input history and restarts the output phase (a new stream starts). */
export function resamplerReset(rsPtr: usize): void {
  const rs = changetype<Resampler>(rsPtr);
  if (rs.history != 0) memory.fill(rs.history, 0, <usize>rs.taps << 3);
  rs.pos = 0;
  rs.phase = 0;
  rs.pending = 1;
}

/** Most outputs one call with `inLen` inputs can produce (size the output buffer with it). */
export function resamplerMaxOut(rsPtr: usize, inLen: i32): i32 {
  const rs = changetype<Resampler>(rsPtr);
  return <i32>((<i64>inLen * <i64>rs.up + <i64>rs.down - 1) / <i64>rs.down) + 1;
}

/** Group delay in input-rate samples (an integer; 0 for equal rates). */
export function resamplerDelay(rsPtr: usize): i32 {
  return changetype<Resampler>(rsPtr).delay;
}

/**
 * Resamples `inLen` f32 at `input` into `out` (room for resamplerMaxOut(rs, inLen) values) and
 * returns how many were written. Output does not depend on how the input is chunked.
 */
export function resamplerProcess(rsPtr: usize, input: usize, inLen: i32, out: usize): i32 {
  const rs = changetype<Resampler>(rsPtr);
  if (rs.up == rs.down) {
    memory.copy(out, input, <usize>inLen << 2);
    return inLen;
  }
  const L = rs.up, M = rs.down, T = rs.taps;
  const history = rs.history;
  const phaseBytes = <usize>T << 2;
  let pos = rs.pos, phase = rs.phase, pending = rs.pending;
  let written = 0;
  for (let i = 0; i < inLen; i++) {
    const x = load<f32>(input + (<usize>i << 2));
    store<f32>(history + (<usize>pos << 2), x);
    store<f32>(history + (<usize>(pos + T) << 2), x);
    pos = pos + 1 == T ? 0 : pos + 1;
    pending--;
    const window = history + (<usize>pos << 2);
    while (pending == 0) {
      store<f32>(out + (<usize>written << 2), dot(rs.table + <usize>phase * phaseBytes, window, T));
      written++;
      phase += M;
      pending += phase / L;
      phase %= L;
    }
  }
  rs.pos = pos;
  rs.phase = phase;
  rs.pending = pending;
  return written;
}

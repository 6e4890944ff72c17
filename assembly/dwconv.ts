// Causal dilated depthwise convolution, one frame at a time:
//   y[c] = act(b[c] + Σ_j W[c, j] · x_{t − (kernel−1−j)·dilation}[c])
// Weights are tap-major, Wt[j, c] (the engine transposes the model file's [channels, kernel]), so
// four channels of one tap are one f32x4 load. `state` is a ring of the last (kernel−1)·dilation
// input frames behind a 16-byte header holding the slot of the oldest: a frame costs one frame
// copy, not a shift of the whole history.

import { ACTIVE_CHUNK, listActive, listed } from './active-list';
import { activate, activation } from './activations';
import { madd4 } from './vector';
import { countWork } from './counters';

const HEADER_BYTES: usize = 16; // i32 ring position, padded so the frames stay 16-byte aligned

/** f32 count of the `state` a layer of this shape needs (0 when kernel is 1: no history). */
export function dwConvStateLength(channels: i32, kernel: i32, dilation: i32): i32 {
  const slots = (kernel - 1) * dilation;
  return slots > 0 ? <i32>(HEADER_BYTES >> 2) + slots * channels : 0;
}

/** Ring slot that shift-register slot `s` (0 = oldest frame) lives in, for s < 2·slots. */
@inline function ringSlot(pos: i32, s: i32, slots: i32): i32 {
  const r = pos + s;
  return r >= slots ? r - slots : r;
}

/** out[c] += Wt_j[c] · tap[c] for every channel. */
@inline function accumulateTap(out: usize, tap: usize, w: usize, channels: i32): void {
  const simdBytes = <usize>(channels & ~3) << 2;
  for (let o: usize = 0; o < simdBytes; o += 16) {
    v128.store(out + o, madd4(v128.load(w + o), v128.load(tap + o), v128.load(out + o)));
  }
  for (let o = simdBytes; o < <usize>channels << 2; o += 4) {
    store<f32>(out + o, load<f32>(out + o) + load<f32>(w + o) * load<f32>(tap + o));
  }
}

/**
 * The channels `chMask` runs, each alone from a branch-free list (a mask that changes every frame
 * would mispredict per-channel tests); the others write 0. Returns how many ran.
 */
function maskedChannels(
  out: usize, x: usize, frames: usize, pos: i32, slots: i32, Wt: usize, bias: usize,
  channels: i32, kernel: i32, dilation: i32, act: i32, chMask: usize,
): i32 {
  const frameBytes = <usize>channels << 2;
  memory.fill(out, 0, frameBytes);
  let active = 0;
  for (let from = 0; from < channels; from += ACTIVE_CHUNK) {
    const n = listActive(chMask, from, min(channels, from + ACTIVE_CHUNK));
    active += n;
    for (let i = 0; i < n; i++) {
      const o = <usize>listed(i) << 2;
      let sum: f32 = bias != 0 ? load<f32>(bias + o) : 0;
      for (let j = 0, s = 0; j < kernel; j++, s += dilation) {
        const tap = j == kernel - 1 ? x : frames + <usize>ringSlot(pos, s, slots) * frameBytes;
        sum += load<f32>(Wt + <usize>j * frameBytes + o) * load<f32>(tap + o);
      }
      store<f32>(out + o, activation(sum, act));
    }
  }
  return active;
}

/**
 * Computes one output frame `out[channels]` from `x[channels]` and adds `x` to `state`
 * (`dwConvStateLength` f32, zero at stream start). Wt [kernel, channels], bias [channels] (0 =
 * none), `chMask` u8[channels] (0 = all on): masked channels write 0, read no weights and count
 * nothing, but their input still enters the state. `out` must not overlap `x` or `state`.
 */
export function dwConvStep(
  out: usize, x: usize, state: usize, Wt: usize, bias: usize,
  channels: i32, kernel: i32, dilation: i32, act: i32, chMask: usize,
): void {
  const frameBytes = <usize>channels << 2;
  const slots = (kernel - 1) * dilation;
  const pos = slots > 0 ? load<i32>(state) : 0;
  const frames = state + HEADER_BYTES;
  // Tap j reads shift-register slot j·dilation; the newest tap is x itself.
  let active = channels;
  if (chMask != 0) {
    active = maskedChannels(out, x, frames, pos, slots, Wt, bias, channels, kernel, dilation, act, chMask);
  } else {
    // out starts at the bias, then one SIMD pass per tap, oldest first.
    if (bias != 0) memory.copy(out, bias, frameBytes);
    else memory.fill(out, 0, frameBytes);
    for (let j = 0, s = 0; j < kernel; j++, s += dilation) {
      const tap = j == kernel - 1 ? x : frames + <usize>ringSlot(pos, s, slots) * frameBytes;
      accumulateTap(out, tap, Wt + <usize>j * frameBytes, channels);
    }
    activate(out, channels, act);
  }
  if (slots > 0) {
    // The oldest frame's slot takes x, and the next slot becomes the oldest.
    memory.copy(frames + <usize>pos * frameBytes, x, frameBytes);
    store<i32>(state, pos + 1 == slots ? 0 : pos + 1);
  }
  countWork(<f64>active * <f64>kernel, <f64>active * <f64>kernel * 4 + (bias != 0 ? <f64>active * 4 : 0));
}

// Causal dilated depthwise convolution, one frame at a time:
//   y[c] = act(b[c] + Σ_j W[c, j] · x_{t − (kernel−1−j)·dilation}[c])
// `state` is a shift register of the last (kernel−1)·dilation input frames, oldest first, each
// `channels` f32 (zero at stream start). Four channels share one f32x4 when all four run.

import { activation, activation4 } from './activations';
import { countWork } from './counters';

/** Input frame that tap j reads: (kernel−1−j)·dilation frames back is state slot j·dilation. */
@inline function tapFrame(x: usize, state: usize, frameBytes: usize, kernel: i32, dilation: i32, j: i32): usize {
  return j == kernel - 1 ? x : state + <usize>(j * dilation) * frameBytes;
}

@inline function allRun(chMask: usize, c: i32): bool {
  if (chMask == 0) return true;
  const p = chMask + <usize>c;
  return load<u8>(p) != 0 && load<u8>(p, 1) != 0 && load<u8>(p, 2) != 0 && load<u8>(p, 3) != 0;
}

/** One channel in scalar code (partial blocks, the last channels); returns 1 if it ran. */
@inline function convChannel(
  out: usize, x: usize, state: usize, W: usize, bias: usize, frameBytes: usize,
  kernel: i32, dilation: i32, act: i32, chMask: usize, c: i32,
): i32 {
  const co = <usize>c << 2;
  if (chMask != 0 && load<u8>(chMask + c) == 0) {
    store<f32>(out + co, 0);
    return 0;
  }
  const w = W + <usize>(c * kernel) * 4;
  let s: f32 = bias != 0 ? load<f32>(bias + co) : 0;
  for (let j = 0; j < kernel; j++) {
    s += load<f32>(w + (<usize>j << 2)) * load<f32>(tapFrame(x, state, frameBytes, kernel, dilation, j) + co);
  }
  store<f32>(out + co, activation(s, act));
  return 1;
}

/**
 * Computes one output frame `out[channels]` from `x[channels]` and shifts `x` into `state`.
 * W [channels, kernel], bias [channels] (0 = none), `chMask` u8[channels] (0 = all on): masked
 * channels write 0, read no weights and count nothing, but their input still enters the state.
 * `out` must not overlap `x` or `state`.
 */
export function dwConvStep(
  out: usize, x: usize, state: usize, W: usize, bias: usize,
  channels: i32, kernel: i32, dilation: i32, act: i32, chMask: usize,
): void {
  const frameBytes = <usize>channels << 2;
  const kernelBytes = <usize>kernel << 2;
  let active = 0;
  let c = 0;
  while (c < channels) {
    if (c + 4 > channels || !allRun(chMask, c)) {
      active += convChannel(out, x, state, W, bias, frameBytes, kernel, dilation, act, chMask, c);
      c++;
      continue;
    }
    const co = <usize>c << 2;
    const w = W + <usize>c * kernelBytes;
    let acc = bias != 0 ? v128.load(bias + co) : f32x4.splat(0);
    for (let j = 0; j < kernel; j++) {
      const wj = w + (<usize>j << 2);
      let w4 = f32x4.splat(load<f32>(wj));
      w4 = f32x4.replace_lane(w4, 1, load<f32>(wj + kernelBytes));
      w4 = f32x4.replace_lane(w4, 2, load<f32>(wj + 2 * kernelBytes));
      w4 = f32x4.replace_lane(w4, 3, load<f32>(wj + 3 * kernelBytes));
      acc = f32x4.add(acc, f32x4.mul(w4, v128.load(tapFrame(x, state, frameBytes, kernel, dilation, j) + co)));
    }
    v128.store(out + co, activation4(acc, act));
    active += 4;
    c += 4;
  }
  const slots = (kernel - 1) * dilation;
  if (slots > 0) {
    memory.copy(state, state + frameBytes, <usize>(slots - 1) * frameBytes);
    memory.copy(state + <usize>(slots - 1) * frameBytes, x, frameBytes);
  }
  countWork(<f64>active * <f64>kernel, <f64>active * <f64>kernel * 4 + (bias != 0 ? <f64>active * 4 : 0));
}

// Causal dilated depthwise convolution, one frame at a time:
//   y[c] = act(b[c] + Σ_j W[c, j] · x_{t − (kernel−1−j)·dilation}[c])
// `state` is a shift register of the last (kernel−1)·dilation input frames, oldest first, each
// `channels` f32 (zero at stream start).

import { activation } from './activations';
import { countWork } from './counters';

/**
 * Computes one output frame `out[channels]` from `x[channels]` and shifts `x` into `state`.
 * W [channels, kernel], bias [channels] (0 = none), `chMask` u8[channels] (0 = all on): masked
 * channels write 0, read no weights and count nothing, but their input still enters the state.
 */
export function dwConvStep(
  out: usize, x: usize, state: usize, W: usize, bias: usize,
  channels: i32, kernel: i32, dilation: i32, act: i32, chMask: usize,
): void {
  const frameBytes = <usize>channels << 2;
  const slots = (kernel - 1) * dilation;
  let active = 0;
  for (let c = 0; c < channels; c++) {
    const co = <usize>c << 2;
    if (chMask != 0 && load<u8>(chMask + c) == 0) {
      store<f32>(out + co, 0);
      continue;
    }
    active++;
    const w = W + <usize>(c * kernel) * 4;
    let s: f32 = bias != 0 ? load<f32>(bias + co) : 0;
    // Tap j reads the frame (kernel−1−j)·dilation steps back: state slot slots − lag.
    for (let j = 0; j < kernel - 1; j++) {
      const slot = j * dilation;
      s += load<f32>(w + (<usize>j << 2)) * load<f32>(state + <usize>slot * frameBytes + co);
    }
    s += load<f32>(w + (<usize>(kernel - 1) << 2)) * load<f32>(x + co);
    store<f32>(out + co, activation(s, act));
  }
  if (slots > 0) {
    memory.copy(state, state + frameBytes, <usize>(slots - 1) * frameBytes);
    memory.copy(state + <usize>(slots - 1) * frameBytes, x, frameBytes);
  }
  countWork(<f64>active * <f64>kernel, <f64>active * <f64>kernel * 4 + (bias != 0 ? <f64>active * 4 : 0));
}

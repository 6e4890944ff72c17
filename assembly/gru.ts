// One step of a PyTorch nn.GRU cell (gate order r, z, n):
//   r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h

import { ACT_NONE, sigmoid, sigmoid4, tanh, tanh4 } from './activations';
import { dense } from './dense';

/**
 * Updates `h[hidden]` in place from `x[inSize]`. Wih [3h, in], Whh [3h, h], bih and bhh [3h];
 * `scratch` holds 6·hidden f32. Counts both matrix-vector products (through `dense`).
 */
export function gruStep(
  h: usize, x: usize, Wih: usize, Whh: usize, bih: usize, bhh: usize,
  inSize: i32, hidden: i32, scratch: usize,
): void {
  const gates = 3 * hidden;
  const gi = scratch;
  const gh = scratch + (<usize>gates << 2);
  dense(gi, Wih, x, bih, gates, inSize, ACT_NONE);
  dense(gh, Whh, h, bhh, gates, hidden, ACT_NONE);
  const zOff = <usize>hidden << 2;
  const nOff = zOff << 1;
  const bytes = zOff;
  const simdBytes = bytes & ~15;
  const one = f32x4.splat(1);
  let o: usize = 0;
  for (; o < simdBytes; o += 16) {
    const r = sigmoid4(f32x4.add(v128.load(gi + o), v128.load(gh + o)));
    const z = sigmoid4(f32x4.add(v128.load(gi + zOff + o), v128.load(gh + zOff + o)));
    const n = tanh4(f32x4.add(v128.load(gi + nOff + o), f32x4.mul(r, v128.load(gh + nOff + o))));
    v128.store(h + o, f32x4.add(f32x4.mul(f32x4.sub(one, z), n), f32x4.mul(z, v128.load(h + o))));
  }
  for (; o < bytes; o += 4) {
    const r = sigmoid(load<f32>(gi + o) + load<f32>(gh + o));
    const z = sigmoid(load<f32>(gi + zOff + o) + load<f32>(gh + zOff + o));
    const n = tanh(load<f32>(gi + nOff + o) + r * load<f32>(gh + nOff + o));
    store<f32>(h + o, (1 - z) * n + z * load<f32>(h + o));
  }
}

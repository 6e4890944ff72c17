import { createCore } from '../src/wasm/core.js';

/** Naive real DFT in f64: n reals → n/2+1 interleaved (re, im) bins. */
function naiveRfft(x: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n + 2);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      const angle = (-2 * Math.PI * ((k * t) % n)) / n;
      re += x[t] * Math.cos(angle);
      im += x[t] * Math.sin(angle);
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}

/** Naive inverse real DFT (divides by n), Hermitian extension of n/2+1 bins. */
function naiveIrfft(spec: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let sum = spec[0] + spec[n] * (t % 2 === 0 ? 1 : -1);
    for (let k = 1; k < n / 2; k++) {
      const angle = (2 * Math.PI * ((k * t) % n)) / n;
      sum += 2 * (spec[2 * k] * Math.cos(angle) - spec[2 * k + 1] * Math.sin(angle));
    }
    out[t] = sum / n;
  }
  return out;
}

function randomValues(n: number, seed: number): Float64Array {
  let state = seed;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('real FFT', () => {
  const core = createCore();
  const sizes = [320, 512, 480, 96, 60, 2];

  test.each(sizes)('rfft(%i) matches a naive DFT', (n) => {
    const plan = core.exports.fftPlan(n);
    expect(plan).not.toBe(0);
    const input = core.allocF32(n);
    const spec = core.allocF32(n + 2);
    const x = randomValues(n, n);
    core.writeF32(input, x);
    core.exports.rfft(plan, input, spec);
    const expected = naiveRfft(Float64Array.from(core.f32(input, n)));
    const scale = Math.max(...expected.map(Math.abs));
    expect(maxAbsDiff(core.f32(spec, n + 2), expected) / scale).toBeLessThan(2e-6);
    expect(Array.from(core.f32(input, n))).toEqual(Array.from(Float32Array.from(x)));
  });

  test.each(sizes)('irfft(%i) matches a naive inverse DFT and leaves its input alone', (n) => {
    const plan = core.exports.fftPlan(n);
    const spec = core.allocF32(n + 2);
    const out = core.allocF32(n);
    const bins = randomValues(n + 2, 7 * n);
    core.writeF32(spec, bins);
    const before = Float64Array.from(core.f32(spec, n + 2));
    core.exports.irfft(plan, spec, out);
    const expected = naiveIrfft(before, n);
    const scale = Math.max(...expected.map(Math.abs));
    expect(maxAbsDiff(core.f32(out, n), expected) / scale).toBeLessThan(2e-6);
    expect(maxAbsDiff(core.f32(spec, n + 2), before)).toBe(0);
  });

  test('irfft(rfft(x)) returns x', () => {
    const n = 320;
    const plan = core.exports.fftPlan(n);
    const input = core.allocF32(n);
    const spec = core.allocF32(n + 2);
    const back = core.allocF32(n);
    core.writeF32(input, randomValues(n, 3));
    core.exports.rfft(plan, input, spec);
    core.exports.irfft(plan, spec, back);
    expect(maxAbsDiff(core.f32(back, n), core.f32(input, n))).toBeLessThan(1e-6);
  });

  test.each([0, 15, 14, 322, 7 * 64])('fftPlan(%i) is refused with 0', (n) => {
    expect(core.exports.fftPlan(n)).toBe(0);
  });

  test('counts no MACs', () => {
    const plan = core.exports.fftPlan(512);
    const buf = core.allocF32(514);
    core.exports.resetCounters();
    core.exports.rfft(plan, buf, buf);
    expect(core.exports.macCount()).toBe(0);
  });
});

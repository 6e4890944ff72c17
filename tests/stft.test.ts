import { createCore } from '../src/wasm/core.js';

const WIN = 320;
const HOP = 160;
const BINS = WIN / 2 + 1;

function testSignal(length: number): Float32Array {
  const x = new Float32Array(length);
  let state = 12345;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    x[i] = 0.5 * Math.sin(0.03 * i) + 0.3 * (state / 2 ** 32 - 0.5);
  }
  return x;
}

describe('STFT', () => {
  const core = createCore();
  const { exports: wasm } = core;
  const hopIn = core.allocF32(HOP);
  const spec = core.allocF32(2 * BINS);
  const hopOut = core.allocF32(HOP);

  test('analysis frame t is the sqrt-Hann-windowed input [160t − 160, 160t + 160), unscaled DFT', () => {
    const st = wasm.stftCreate(WIN, HOP);
    const x = testSignal(3 * HOP);
    const padded = new Float32Array(HOP + x.length);
    padded.set(x, HOP);
    for (let t = 0; t < 3; t++) {
      core.writeF32(hopIn, x.subarray(t * HOP, (t + 1) * HOP));
      wasm.stftAnalyze(st, hopIn, spec);
      const got = core.f32(spec, 2 * BINS);
      let maxErr = 0;
      for (const k of [0, 1, 17, 80, 160]) {
        let re = 0;
        let im = 0;
        for (let n = 0; n < WIN; n++) {
          const w = Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * n) / WIN));
          const v = w * padded[t * HOP + n];
          re += v * Math.cos((-2 * Math.PI * k * n) / WIN);
          im += v * Math.sin((-2 * Math.PI * k * n) / WIN);
        }
        maxErr = Math.max(maxErr, Math.abs(got[2 * k] - re), Math.abs(got[2 * k + 1] - im));
      }
      expect(maxErr).toBeLessThan(1e-4);
    }
  });

  test('unit mask reconstructs the input delayed by 160 samples', () => {
    const st = wasm.stftCreate(WIN, HOP);
    const hops = 50;
    const x = testSignal(hops * HOP);
    const y = new Float32Array(hops * HOP);
    for (let t = 0; t < hops; t++) {
      core.writeF32(hopIn, x.subarray(t * HOP, (t + 1) * HOP));
      wasm.stftAnalyze(st, hopIn, spec);
      wasm.stftSynthesize(st, spec, hopOut);
      y.set(core.f32(hopOut, HOP), t * HOP);
    }
    let maxErr = 0;
    for (let i = 0; i < y.length; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - (i >= HOP ? x[i - HOP] : 0)));
    expect(maxErr).toBeLessThanOrEqual(1e-5);
  });

  test('stftReset starts a new stream', () => {
    const st = wasm.stftCreate(WIN, HOP);
    core.writeF32(hopIn, testSignal(HOP));
    wasm.stftAnalyze(st, hopIn, spec);
    wasm.stftSynthesize(st, spec, hopOut);
    wasm.stftReset(st);
    wasm.vecFill(hopIn, 0, HOP);
    wasm.stftAnalyze(st, hopIn, spec);
    expect(Math.max(...core.f32(spec, 2 * BINS).map(Math.abs))).toBe(0);
    wasm.stftSynthesize(st, spec, hopOut);
    expect(Math.max(...core.f32(hopOut, HOP).map(Math.abs))).toBe(0);
  });

  test.each([[320, 100], [321, 160], [14, 7]])('stftCreate(%i, %i) is refused with 0', (win, hop) => {
    expect(wasm.stftCreate(win, hop)).toBe(0);
  });
});

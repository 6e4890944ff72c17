import { createCore } from '../src/wasm/core.js';

const core = createCore();
const wasm = core.exports;
const RATES = [8000, 22050, 24000, 32000, 44100, 48000];

/** Runs `input` through resampler `rs` in chunks of the given sizes; returns all output. */
function resample(rs: number, input: Float32Array, chunkSizes: number[]): Float32Array {
  const inPtr = core.allocF32(input.length);
  const outPtr = core.allocF32(wasm.resamplerMaxOut(rs, input.length));
  core.writeF32(inPtr, input);
  const out: number[] = [];
  let offset = 0;
  for (let c = 0; offset < input.length; c++) {
    const n = Math.min(chunkSizes[c % chunkSizes.length], input.length - offset);
    const written = wasm.resamplerProcess(rs, inPtr + 4 * offset, n, outPtr);
    expect(written).toBeLessThanOrEqual(wasm.resamplerMaxOut(rs, n));
    out.push(...core.f32(outPtr, written));
    offset += n;
  }
  return Float32Array.from(out);
}

/** A sum of sines at the given fractions of `nyquist`, sampled at `rate`, delayed by `delay` s. */
function tones(length: number, rate: number, nyquist: number, fractions: number[], delay = 0): Float32Array {
  return Float32Array.from({ length }, (_, n) =>
    fractions.reduce((sum, f, i) => sum + 0.3 * Math.sin(2 * Math.PI * f * nyquist * (n / rate - delay) + i), 0));
}

/** Largest 4-term Blackman-Harris windowed spectrum magnitude in [fromHz, toHz), relative to a unit tone. */
function peakLevelDb(signal: Float32Array, rate: number, fromHz: number, toHz: number): number {
  const n = 8192;
  const plan = wasm.fftPlan(n);
  const frame = core.allocF32(n);
  const spec = core.allocF32(n + 2);
  const a = [0.35875, 0.48829, 0.14128, 0.01168];
  let windowSum = 0;
  const windowed = Float32Array.from({ length: n }, (_, i) => {
    const t = (2 * Math.PI * i) / n;
    const w = a[0] - a[1] * Math.cos(t) + a[2] * Math.cos(2 * t) - a[3] * Math.cos(3 * t);
    windowSum += w;
    return w * signal[signal.length - n + i];
  });
  core.writeF32(frame, windowed);
  wasm.rfft(plan, frame, spec);
  const bins = core.f32(spec, n + 2);
  let peak = 0;
  for (let k = Math.ceil((fromHz * n) / rate); k <= n / 2 && k < (toHz * n) / rate; k++) {
    peak = Math.max(peak, Math.hypot(bins[2 * k], bins[2 * k + 1]));
  }
  return 20 * Math.log10(peak / (windowSum / 2) + 1e-30);
}

describe('resampler', () => {
  test('16000 → 16000 passes samples through with no delay', () => {
    const rs = wasm.resamplerCreate(16000, 16000);
    const x = tones(1000, 16000, 8000, [0.3]);
    expect(wasm.resamplerDelay(rs)).toBe(0);
    expect(Array.from(resample(rs, x, [333]))).toEqual(Array.from(x));
  });

  test.each([[16000, 11025], [16000, 96000], [12345, 16000], [16000, 0]])('resamplerCreate(%i, %i) is refused with 0', (a, b) => {
    expect(wasm.resamplerCreate(a, b)).toBe(0);
  });

  test.each(RATES)('16000 → %i → 16000 returns the band-limited input, delay compensated (SNR ≥ 60 dB)', (rate) => {
    const there = wasm.resamplerCreate(16000, rate);
    const back = wasm.resamplerCreate(rate, 16000);
    const lowNyquist = Math.min(rate, 16000) / 2;
    const fractions = [0.05, 0.31, 0.58, 0.85];
    const x = tones(16000, 16000, lowNyquist, fractions);
    const y = resample(back, resample(there, x, [160]), [441]);
    const delaySeconds = wasm.resamplerDelay(there) / 16000 + wasm.resamplerDelay(back) / rate;
    const expected = tones(y.length, 16000, lowNyquist, fractions, delaySeconds);
    let signal = 0;
    let error = 0;
    for (let n = 4000; n < y.length; n++) {
      signal += expected[n] ** 2;
      error += (y[n] - expected[n]) ** 2;
    }
    expect(10 * Math.log10(signal / error)).toBeGreaterThanOrEqual(60);
  });

  test.each(RATES.filter((r) => r > 16000))('%i → 16000 attenuates tones above 8 kHz by ≥ 80 dB', (rate) => {
    for (const fraction of [1.01, 1.2, 1.6]) {
      const hz = fraction * 8000;
      if (hz >= rate / 2) continue;
      const rs = wasm.resamplerCreate(rate, 16000);
      const y = resample(rs, tones(rate, rate, 8000, [fraction]), [1024]);
      expect(peakLevelDb(y, 16000, 0, 8000) - 20 * Math.log10(0.3)).toBeLessThanOrEqual(-80);
    }
  });

  test('16000 → 8000 attenuates tones above 4 kHz by ≥ 80 dB, passes tones below 3.6 kHz', () => {
    for (const hz of [4040, 5000, 7000]) {
      const rs = wasm.resamplerCreate(16000, 8000);
      const y = resample(rs, tones(32000, 16000, 8000, [hz / 8000]), [1024]);
      expect(peakLevelDb(y, 8000, 0, 4000) - 20 * Math.log10(0.3)).toBeLessThanOrEqual(-80);
    }
    const rs = wasm.resamplerCreate(16000, 8000);
    const y = resample(rs, tones(32000, 16000, 8000, [3600 / 8000]), [1024]).subarray(8000);
    const amplitude = Math.sqrt((2 * y.reduce((sum, v) => sum + v * v, 0)) / y.length);
    expect(Math.abs(20 * Math.log10(amplitude / 0.3))).toBeLessThan(0.01);
  });

  test.each(RATES.filter((r) => r > 16000))('16000 → %i leaves images above 8 kHz ≥ 80 dB down', (rate) => {
    const rs = wasm.resamplerCreate(16000, rate);
    const y = resample(rs, tones(32000, 16000, 8000, [0.8]), [1024]);
    expect(peakLevelDb(y, rate, 8000, rate / 2) - 20 * Math.log10(0.3)).toBeLessThanOrEqual(-80);
  });

  test.each(RATES)('16000 ↔ %i output does not depend on chunking', (rate) => {
    let state = rate;
    const random = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const x = Float32Array.from({ length: 6000 }, () => random() - 0.5);
    const chunks = Array.from({ length: 40 }, () => 1 + Math.floor(random() * 400));
    for (const [from, to] of [[16000, rate], [rate, 16000]]) {
      const whole = resample(wasm.resamplerCreate(from, to), x, [x.length]);
      const pieces = resample(wasm.resamplerCreate(from, to), x, chunks);
      expect(Array.from(pieces)).toEqual(Array.from(whole));
      const rs = wasm.resamplerCreate(from, to);
      resample(rs, x, [999]);
      wasm.resamplerReset(rs);
      expect(Array.from(resample(rs, x, chunks))).toEqual(Array.from(whole));
    }
  });
});

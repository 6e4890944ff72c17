/**
 * Above 16 kHz the band the model never sees (8 kHz up to the stream's Nyquist) comes back,
 * delay-aligned with the model's band and scaled by the gain the model's mask gives its top bins
 * (docs/fullband.md).
 */
import { createDenoiser } from '../src/index.js';
import { loadGolden } from './engine-fixtures.js';
import { constantMaskModel, denoiseInChunks, unityMaskModel } from './stream-models.js';

/** Deterministic white noise in [−0.1, 0.1): energy up to the Nyquist frequency. */
function whiteNoise(n: number, seed = 7): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return 0.2 * (state / 2 ** 32 - 0.5);
  });
}

const tone = (rate: number, hz: number, n: number, delaySeconds = 0): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 0.25 * Math.sin(2 * Math.PI * hz * (i / rate - delaySeconds)));

/** Energy of `x` from `from` on, relative to `ref`'s, in dB. */
function relativeDb(x: Float32Array, ref: Float32Array, from: number): number {
  let e = 0;
  let r = 0;
  for (let i = from; i < x.length; i++) {
    e += x[i] ** 2;
    r += ref[i] ** 2;
  }
  return 10 * Math.log10(e / r);
}

test.each([24000, 32000, 48000].map((r) => [r]))(
  '%i Hz, mask 1: white noise comes out as the input delayed, the band above 8 kHz included', (rate) => {
    const denoiser = createDenoiser({ model: unityMaskModel(), sampleRate: rate });
    const input = whiteNoise(rate / 2);
    const output = denoiser.process(input);
    const delay = denoiser.latencySamples;
    const residual = output.map((v, i) => (i < delay ? 0 : v - input[i - delay]));
    const reference = input.map((_, i) => (i < delay ? 0 : input[i - delay]));
    expect(relativeDb(residual, reference, 2 * delay)).toBeLessThan(-100);
  });

test.each([[22050, 9500], [44100, 12000], [44100, 18000]])(
  '%i Hz, mask 1: a %i Hz tone comes out whole, delayed by the fractional latencySeconds', (rate, hz) => {
    const denoiser = createDenoiser({ model: unityMaskModel(), sampleRate: rate });
    const n = Math.round(rate * 0.2);
    const output = denoiser.process(tone(rate, hz, n));
    const expected = tone(rate, hz, n, denoiser.latencySeconds);
    const residual = output.map((v, i) => v - expected[i]);
    expect(relativeDb(residual, expected, 2 * denoiser.latencySamples)).toBeLessThan(-50);
  });

test.each([24000, 44100, 48000].map((r) => [r]))('%i Hz, mask 0: the band above 8 kHz is removed too', (rate) => {
  const denoiser = createDenoiser({ model: constantMaskModel(-30), sampleRate: rate });
  const n = Math.round(rate * 0.2);
  const input = tone(rate, 10000, n);
  const output = denoiser.process(input);
  expect(relativeDb(output, input, 2 * denoiser.latencySamples)).toBeLessThan(-80);
});

test('48 kHz, mask sigmoid(0) = 0.5: the band above 8 kHz is scaled by the top bins\' gain, 0.5', () => {
  const denoiser = createDenoiser({ model: constantMaskModel(0), sampleRate: 48000 });
  const n = 9600;
  const input = tone(48000, 12000, n);
  const output = denoiser.process(input);
  expect(relativeDb(output, input, 2 * denoiser.latencySamples)).toBeCloseTo(20 * Math.log10(0.5), 2);
});

describe.each([44100, 48000])('at %i Hz with a real model', (sampleRate) => {
  const model = loadGolden('gru').bytes;
  const input = whiteNoise(Math.round(sampleRate * 0.3), 3).map((v, i) => v + 0.2 * Math.sin(i * 0.05));

  const run = (chunk: number): Float32Array => denoiseInChunks(model, sampleRate, input, chunk);

  test('the full-band output does not depend on chunking, bit for bit', () => {
    const whole = run(input.length);
    expect(whole.some((v) => v !== 0)).toBe(true);
    for (const size of [1, 128, 441]) expect(run(size)).toEqual(whole);
  });
});

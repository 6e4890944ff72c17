/** Bad samples in, empty chunks, poisoned model state: the stream stays finite and keeps working. */
import { createDenoiser } from '../src/index.js';
import { loadGolden } from './engine-fixtures.js';
import { testAudio, unityMaskModel } from './stream-models.js';

const golden = loadGolden('gru');

test('NaN and ±Infinity inputs are processed as zeros and counted', () => {
  const clean = testAudio(4000, 16000);
  const dirty = clean.slice();
  const zeroed = clean.slice();
  for (const [i, v] of [[10, NaN], [1000, Infinity], [1001, -Infinity], [3999, NaN]] as const) {
    dirty[i] = v;
    zeroed[i] = 0;
  }
  const a = createDenoiser({ model: golden.bytes, sampleRate: 48000 });
  const b = createDenoiser({ model: golden.bytes, sampleRate: 48000 });
  const out = a.process(dirty);
  expect(out.every(Number.isFinite)).toBe(true);
  expect(out).toEqual(b.process(zeroed));
  expect(a.telemetry().nonFiniteSamples).toBe(4);
  expect(b.telemetry().nonFiniteSamples).toBe(0);
});

test('zero-length chunks return empty output and change nothing', () => {
  const input = testAudio(3000, 16000);
  const plain = createDenoiser({ model: golden.bytes, sampleRate: 16000 });
  const withEmpty = createDenoiser({ model: golden.bytes, sampleRate: 16000 });
  expect(withEmpty.process(new Float32Array(0))).toHaveLength(0);
  const first = withEmpty.process(input.subarray(0, 1000));
  expect(withEmpty.process([new Float32Array(0)])).toEqual([new Float32Array(0)]);
  const second = withEmpty.process(input.subarray(1000));
  const expected = plain.process(input);
  expect(first).toEqual(expected.subarray(0, 1000));
  expect(second).toEqual(expected.subarray(1000));
});

test('a non-finite model output resets that channel\'s state (counted) and the output stays finite', () => {
  // 3e38 overflows the power spectrum to Infinity; the unity model's zero weights turn it into NaN.
  const input = testAudio(8000, 16000);
  input.fill(3e38, 2000, 2200);
  const denoiser = createDenoiser({ model: unityMaskModel(), sampleRate: 16000 });
  const out = denoiser.process(input);
  expect(out.every(Number.isFinite)).toBe(true);
  const { stateResets, nonFiniteSamples } = denoiser.telemetry();
  expect(stateResets).toBeGreaterThan(0);
  expect(nonFiniteSamples).toBe(0);
  // Well after the burst the identity model passes the input through again.
  const latency = denoiser.latencySamples;
  for (let i = 6000; i < 8000; i++) expect(Math.abs(out[i] - input[i - latency])).toBeLessThan(1e-5);
});

test('reset() and flush() start a new stream: the same input gives the same output again', () => {
  const input = testAudio(2000, 44100);
  const denoiser = createDenoiser({ model: golden.bytes, sampleRate: 44100 });
  const first = denoiser.process(input);
  denoiser.flush();
  expect(denoiser.process(input)).toEqual(first);
  denoiser.reset();
  expect(denoiser.process(input)).toEqual(first);
});

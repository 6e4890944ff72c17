/** The Denoiser API end to end: channels, exits, telemetry, output reuse. */
import { createDenoiser } from '../src/index.js';
import { loadGolden } from './engine-fixtures.js';
import { testAudio } from './stream-models.js';

const golden = loadGolden('gru');
const model = golden.bytes;

test('each channel of a multi-channel denoiser equals a mono denoiser on that channel', () => {
  const rate = 24000;
  const inputs = [testAudio(5000, rate, 1), testAudio(5000, rate, 2), testAudio(5000, rate, 3).map((v) => -2 * v)];
  const multi = createDenoiser({ model, sampleRate: rate, channels: 3 });
  const out = multi.process(inputs);
  const tail = multi.flush();
  inputs.forEach((input, c) => {
    const mono = createDenoiser({ model, sampleRate: rate });
    expect(out[c]).toEqual(mono.process(input));
    expect(tail[c]).toEqual(mono.flush()[0]);
  });
  expect(out[0]).not.toEqual(out[1]);
});

test('telemetry counts frames, MACs per exit and time; setExit switches the exit mid-stream', () => {
  const input = testAudio(16000, 16000);
  const denoiser = createDenoiser({ model, sampleRate: 16000, channels: 2, exit: 0 });
  denoiser.process([input.subarray(0, 8000), input.subarray(0, 8000)]);
  denoiser.setExit(2);
  expect(denoiser.exit).toBe(2);
  denoiser.process([input.subarray(8000), input.subarray(8000)]);
  const t = denoiser.telemetry();
  const [cheap, , full] = golden.macsPerFrame;
  // 50 hops per channel complete during the first 8000 samples, 50 more during the rest.
  expect(t.exitHistogram).toEqual([100, 0, 100]);
  expect(t.frames).toBe(200);
  expect(t.macs).toBe(100 * cheap + 100 * full);
  expect(t.macsDense).toBe(200 * full);
  expect(t.audioSeconds).toBe(1);
  expect(t.macsPerSecond).toBe(t.macs);
  expect(t.weightBytes).toBeGreaterThan(0);
  expect(t.wasmSeconds).toBeGreaterThan(0);
  expect(t.realTimeFactor).toBeCloseTo(t.wasmSeconds / t.audioSeconds, 12);
  expect(t.latencySamples).toBe(denoiser.latencySamples);
  expect(t.latencySeconds).toBe(denoiser.latencySeconds);
  expect(denoiser.exits.map((e) => e.macsPerFrame)).toEqual(golden.macsPerFrame);
  expect(() => denoiser.setExit(3)).toThrow(/from 0 to 2/);

  denoiser.resetTelemetry();
  const zero = denoiser.telemetry();
  expect([zero.frames, zero.macs, zero.weightBytes, zero.audioSeconds, zero.realTimeFactor]).toEqual([0, 0, 0, 0, 0]);
  expect(zero.exitHistogram).toEqual([0, 0, 0]);
});

test('a caller-supplied output array is filled and returned (no allocation needed)', () => {
  const input = testAudio(3000, 48000);
  const expected = createDenoiser({ model, sampleRate: 48000 }).process(input);
  const denoiser = createDenoiser({ model, sampleRate: 48000 });
  const output = new Float32Array(3000);
  expect(denoiser.process(input, output)).toBe(output);
  expect(output).toEqual(expected);
  const planar = [new Float32Array(denoiser.latencySamples)];
  expect(denoiser.flush(planar)).toBe(planar);
});

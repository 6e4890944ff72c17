/**
 * Per-frame speech presence (derived from the mask until models have a speech head): through
 * `onFrame`, in telemetry, and whether it separates speech from noise with the shipped model.
 */
import { readFileSync } from 'node:fs';
import { createDenoiser, InvalidOptionError, type FrameReport } from '../src/index.js';
import { testAudio, unityMaskModel } from './stream-models.js';

const shipped = new Uint8Array(readFileSync('models/nsnet-ee-f32.thm'));

function collect(denoiser: ReturnType<typeof createDenoiser>): FrameReport[] {
  const frames: FrameReport[] = [];
  denoiser.onFrame = (f) => frames.push({ ...f });
  return frames;
}

test('onFrame reports every frame of every channel with its exit; a mask of 1 keeps all: probability 1, silence 0', () => {
  const denoiser = createDenoiser({ model: unityMaskModel(), sampleRate: 16000, channels: 2 });
  const frames = collect(denoiser);
  const loud = testAudio(1600, 16000);
  denoiser.process([loud, new Float32Array(1600)]);
  expect(frames).toHaveLength(20);
  const ch0 = frames.filter((f) => f.channel === 0);
  const ch1 = frames.filter((f) => f.channel === 1);
  expect(ch0.map((f) => f.frame)).toEqual([...Array(10).keys()]);
  expect(ch0.every((f) => f.exit === 0)).toBe(true);
  expect(ch0.every((f) => f.speechProbability > 0.99)).toBe(true);
  expect(ch1.every((f) => f.speechProbability === 0)).toBe(true);
  const t = denoiser.telemetry();
  expect(t.speechProbability).toBeGreaterThan(0.99);
  expect(t.speechFraction).toBe(10 / 20);
  denoiser.onFrame = undefined;
  denoiser.process([loud, loud]);
  expect(frames).toHaveLength(20);
  denoiser.resetTelemetry();
  expect(denoiser.telemetry().speechFraction).toBe(0);
});

test('onFrame must be a function', () => {
  const denoiser = createDenoiser({ model: unityMaskModel(), sampleRate: 16000 });
  expect(() => { (denoiser as { onFrame: unknown }).onFrame = 3; }).toThrow(InvalidOptionError);
});

test('with the shipped model, speech-like frames score higher than noise-only frames', async () => {
  const { noisySpeechLike } = await import('../bench/lib/synthetic.mjs' as string);
  const { noisy, speechActive } = noisySpeechLike({ seconds: 6, snrDb: 10, seed: 8, leadSeconds: 1 });
  const denoiser = createDenoiser({ model: shipped, sampleRate: 16000 });
  const frames = collect(denoiser);
  denoiser.process(noisy);
  // Frame t covers input samples [160t − 160, 160t + 160): label it by its middle.
  const speech: number[] = [];
  const noise: number[] = [];
  for (const f of frames.slice(10)) {
    const middle = 160 * f.frame;
    if (middle >= speechActive.length) continue;
    let active = 0;
    for (let i = middle - 160; i < middle + 160; i++) active += speechActive[i] ?? 0;
    if (active === 320) speech.push(f.speechProbability);
    else if (active === 0) noise.push(f.speechProbability);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`speech frames ${speech.length}: mean ${mean(speech).toFixed(3)}; noise-only ${noise.length}: mean ${mean(noise).toFixed(3)}`);
  expect(speech.length).toBeGreaterThan(50);
  expect(noise.length).toBeGreaterThan(50);
  expect(mean(speech)).toBeGreaterThan(0.7);
  expect(mean(noise)).toBeLessThan(0.1);
});

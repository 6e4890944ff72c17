/**
 * Per-frame speech presence (the model's speech-presence head, or derived from the mask for a model
 * without one): through `onFrame`, in telemetry, and whether the shipped model's head separates
 * speech from noise.
 */
import { readFileSync } from 'node:fs';
import { createDenoiser, InvalidOptionError, readModel, type FrameReport, type Model } from '../src/index.js';
import { testAudio, unityMaskModel } from './stream-models.js';

const shipped = readModel(new Uint8Array(readFileSync('models/nsnet-ee-f32.thm')));
/** The same model with its speech-presence head undeclared: the probability is derived from the mask. */
const withoutHead: Model = { ...shipped, header: { ...shipped.header, speechPresence: undefined } };

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

test.each([['its speech-presence head', shipped], ['the mask', withoutHead]])('with the shipped model, from %s, speech-like frames score higher than noise-only frames', async (_, model) => {
  expect(model.header.speechPresence === undefined).toBe(model === withoutHead);
  const { noisySpeechLike } = await import('../bench/lib/synthetic.mjs' as string);
  const { noisy, speechActive } = noisySpeechLike({ seconds: 6, snrDb: 10, seed: 8, leadSeconds: 1 });
  const denoiser = createDenoiser({ model, sampleRate: 16000 });
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
  // ROC AUC: the share of (speech, noise) frame pairs that the probability orders correctly.
  let ordered = 0;
  for (const s of speech) for (const n of noise) ordered += s > n ? 1 : s === n ? 0.5 : 0;
  const auc = ordered / (speech.length * noise.length);
  console.log(`speech frames ${speech.length}: mean ${mean(speech).toFixed(3)}; noise-only ${noise.length}: mean ${mean(noise).toFixed(3)}; AUC ${auc.toFixed(3)}`);
  expect(speech.length).toBeGreaterThan(50);
  expect(noise.length).toBeGreaterThan(50);
  expect(auc).toBeGreaterThan(0.9);
  expect(mean(speech) - mean(noise)).toBeGreaterThan(0.5);
});

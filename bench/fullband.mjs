/**
 * Full-band check (issue 17, docs/fullband.md): 48 kHz speech with noise through tinyhush, energy
 * above 8 kHz in speech-active frames against the clean reference's, and in noise-only frames
 * against the 6–8 kHz band's reduction; writes bench/results/fullband.json and
 * docs/fullband-spectrogram.png (clean, noisy, denoised).
 *
 * Material (no 48 kHz speech is stored, so it is built): LibriSpeech utterances from
 * ../shared/data upsampled 16 → 48 kHz, plus synthetic "air" above 8 kHz (white noise high-passed
 * at 8 kHz, its level following the utterance's own 5–8 kHz band frame by frame, 6 dB lower per
 * Hz), with gaps of silence; noise: pink and white noise synthesised at 48 kHz (full band).
 *
 *   npm run build && node bench/fullband.mjs [--model models/nsnet-ee-f32.thm] [--snr 10]
 */
import { readFileSync, writeFileSync, existsSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { bandEnergy, drawSpectrogram, powerFrames } from './lib/band-energy.mjs';
import { encodePng } from './lib/png.mjs';
import { repoRoot, resultsDir, sharedDir } from './lib/paths.mjs';
import { resample } from './lib/resample.mjs';
import { seededRandom } from './lib/synthetic.mjs';

const RATE = 48000;
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(repoRoot, 'models/nsnet-ee-f32.thm') },
    snr: { type: 'string', default: '10' },
    utterances: { type: 'string', default: '3' },
  },
});
const speechDir = join(sharedDir, 'data/speech/librispeech');
if (!existsSync(speechDir)) {
  console.log(`skipped: ${speechDir} is absent (the shared data folder holds the speech)`);
  process.exit(0);
}
const { createDenoiser } = await import(join(repoRoot, 'dist/index.js'));

/** Clean 16 kHz utterances, the first `count` LibriSpeech files in name order, with 1 s gaps. */
async function cleanSpeech16k(count) {
  const decoder = new FLACDecoder();
  await decoder.ready;
  const files = readdirSync(speechDir).filter((f) => f.endsWith('.flac')).sort().slice(0, count);
  const parts = [new Float32Array(16000)];
  for (const f of files) {
    const { channelData, sampleRate } = await decoder.decodeFile(readFileSync(join(speechDir, f)));
    if (sampleRate !== 16000) throw new Error(`${f}: ${sampleRate} Hz, expected 16000`);
    parts.push(channelData[0], new Float32Array(16000));
  }
  decoder.free();
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return { samples: out, files };
}

/** White noise high-passed at 8 kHz (the input minus its 16 kHz-band-limited copy). */
function whiteAbove8k(n, random) {
  const white = Float32Array.from({ length: n }, () => random() * 2 - 1);
  const low = resample(resample(white, RATE, 16000), 16000, RATE);
  return white.map((v, i) => v - low[i]);
}

/** Adds air above 8 kHz to the upsampled speech: its level follows the speech's 5–8 kHz band. */
function withAir(speech48, random) {
  const air = whiteAbove8k(speech48.length, random);
  const block = 480; // 10 ms
  const airDensity = (band) => band / 3000 * 10 ** (-6 / 10) * 16000; // per-Hz level −6 dB, over 16 kHz
  const out = Float32Array.from(speech48);
  const frames = powerFrames(speech48);
  const band58 = bandEnergy(frames, RATE, 5000, 8000);
  const airFrames = bandEnergy(powerFrames(air), RATE, 8000, 24000);
  for (let at = 0; at < speech48.length; at += block) {
    const f = Math.min(band58.length - 1, Math.floor(at / 512));
    const gain = Math.sqrt(airDensity(band58[f]) / (airFrames[f] || 1));
    for (let i = at; i < Math.min(at + block, out.length); i++) out[i] += gain * air[i];
  }
  return out;
}

/** Pink noise (Paul Kellet's filter on white), full band at 48 kHz. */
function pinkNoise(n, random) {
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  return Float32Array.from({ length: n }, () => {
    const w = random() * 2 - 1;
    b0 = 0.99886 * b0 + w * 0.0555179; b1 = 0.99332 * b1 + w * 0.0750759; b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856; b4 = 0.55 * b4 + w * 0.5329522; b5 = -0.7616 * b5 - w * 0.016898;
    const p = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
    return p;
  });
}

const energy = (x) => x.reduce((s, v) => s + v * v, 0);
const db = (x) => 10 * Math.log10(x);
const sum = (values, keep) => values.reduce((s, v, i) => (keep[i] ? s + v : s), 0);

/** Runs the denoiser over `noisy` (process + flush) and returns the output aligned with the input. */
function denoise(model, noisy) {
  const d = createDenoiser({ model, sampleRate: RATE });
  const out = new Float32Array(noisy.length + d.latencySamples);
  out.set(d.process(noisy));
  out.set(d.flush()[0], noisy.length);
  return out.subarray(d.latencySamples);
}

function measure(model, clean, noise, snrDb) {
  // SNR over the whole file (the gaps included), full band.
  const scale = Math.sqrt(energy(clean) / energy(noise) / 10 ** (snrDb / 10));
  const noisy = clean.map((v, i) => v + scale * noise[i]);
  const output = denoise(model, noisy);
  const frames = { clean: powerFrames(clean), noisy: powerFrames(noisy), output: powerFrames(output) };
  const full = frames.clean.map((p) => p.reduce((s, v) => s + v, 0));
  const peak = Math.max(...full);
  const speechActive = full.map((e) => e > peak * 10 ** (-30 / 10));
  const noiseOnly = full.map((e) => e === 0);
  const band = (which, lo, hi) => bandEnergy(frames[which], RATE, lo, hi);
  const hf = { clean: band('clean', 8000, 24000), noisy: band('noisy', 8000, 24000), output: band('output', 8000, 24000) };
  const b68 = { noisy: band('noisy', 6000, 8000), output: band('output', 6000, 8000) };
  return {
    noisy, output, frames,
    figures: {
      snrDb,
      speechActiveFrames: speechActive.filter(Boolean).length,
      noiseOnlyFrames: noiseOnly.filter(Boolean).length,
      speechHfOutputVsCleanDb: db(sum(hf.output, speechActive) / sum(hf.clean, speechActive)),
      speechHfNoisyVsCleanDb: db(sum(hf.noisy, speechActive) / sum(hf.clean, speechActive)),
      noiseHfReductionDb: db(sum(hf.output, noiseOnly) / sum(hf.noisy, noiseOnly)),
      noise6to8ReductionDb: db(sum(b68.output, noiseOnly) / sum(b68.noisy, noiseOnly)),
    },
  };
}

const model = new Uint8Array(readFileSync(args.model));
const random = seededRandom(17);
const { samples: speech16, files } = await cleanSpeech16k(Number(args.utterances));
const clean = withAir(resample(speech16, 16000, RATE), random);
const noises = { pink: pinkNoise(clean.length, random), white: Float32Array.from({ length: clean.length }, () => random() * 2 - 1) };
const results = { rate: RATE, model: args.model.replace(`${repoRoot}/`, ''), utterances: files, seconds: clean.length / RATE, conditions: {} };
let picture;
for (const [name, noise] of Object.entries(noises)) {
  const run = measure(model, clean, noise, Number(args.snr));
  results.conditions[name] = run.figures;
  console.log(name, JSON.stringify(run.figures, (k, v) => (typeof v === 'number' ? Number(v.toFixed(2)) : v)));
  if (name === 'pink') picture = run;
}
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'fullband.json'), `${JSON.stringify(results, null, 2)}\n`);

// Three panels (clean, noisy, denoised), 0–24 kHz, over the first 12 seconds.
const width = 900, panel = 200, gap = 6;
const rgb = new Uint8Array(width * (3 * panel + 2 * gap) * 3).fill(255);
const seconds = Math.min(12, results.seconds);
const cut = (frames) => frames.slice(0, Math.floor((seconds * RATE) / 512));
const peakDb = db(Math.max(...picture.frames.clean.flatMap((p) => Math.max(...p))));
['clean', 'noisy', 'output'].forEach((which, i) => {
  drawSpectrogram(rgb, width, i * (panel + gap), panel, cut(picture.frames[which]), RATE, peakDb, 90, 8000);
});
writeFileSync(join(repoRoot, 'docs/fullband-spectrogram.png'), encodePng(rgb, width, 3 * panel + 2 * gap));
console.log('wrote bench/results/fullband.json and docs/fullband-spectrogram.png');

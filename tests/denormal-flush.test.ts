/**
 * Subnormals (|x| < 2^-126) make x86 arithmetic up to ~100× slower and WASM has no flush-to-zero
 * mode, so the signal path flushes magnitudes below 2^-64 to 0 where samples enter, where the model
 * state recurs and where samples leave (assembly/vector.ts, `TINY`). Defined behaviour: such
 * input is silence, and no output sample is subnormal. The speed itself is a benchmark row
 * (bench/lib/denormal.mjs), not a timed test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDenoiser } from '../src/denoiser.js';
import { createEngine } from '../src/engine/engine.js';
import { readModel } from '../src/model/read.js';
import { writeModel } from '../src/model/write.js';
import { createCore } from '../src/wasm/core.js';

const SHIPPED = new Uint8Array(readFileSync(join(process.cwd(), 'models', 'nsnet-ee-f32.thm')));
const SUBNORMAL = 2 ** -126;

/** `n` samples of magnitude `scale` × [0.5, 1) with alternating sign. */
function storm(n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * scale * (0.5 + 0.5 * ((i * 7919) % 1000) / 1000));
}

function subnormalCount(channels: readonly Float32Array[]): number {
  let count = 0;
  for (const channel of channels) for (const y of channel) if (y !== 0 && Math.abs(y) < SUBNORMAL) count++;
  return count;
}

/** Runs `input` (planar) through a fresh stereo 48 kHz denoiser in 10 ms chunks, flush included. */
function denoise(input: Float32Array[], sampleRate = 48000): Float32Array[] {
  const denoiser = createDenoiser({ model: SHIPPED, sampleRate, channels: input.length, wasmBuild: 'simd' });
  const n = input[0].length;
  const chunk = sampleRate / 100;
  const out = input.map(() => new Float32Array(n + denoiser.latencySamples));
  for (let at = 0; at < n; at += chunk) {
    const part = denoiser.process(input.map((c) => c.subarray(at, Math.min(n, at + chunk))));
    part.forEach((p, c) => out[c].set(p, at));
  }
  denoiser.flush().forEach((p, c) => out[c].set(p, n));
  return out;
}

describe('denormal input', () => {
  const n = 48000;
  const zeros = denoise([new Float32Array(n), new Float32Array(n)]);

  test.each([
    ['subnormal', 2 ** -130],
    ['tiny normal (below 2^-64)', 2 ** -80],
  ])('a %s storm is silence: the same output as zeros', (_, scale) => {
    const out = denoise([storm(n, scale), storm(n, scale / 4)]);
    expect(subnormalCount(out)).toBe(0);
    out.forEach((channel, c) => expect(channel).toEqual(zeros[c]));
  });

  test('tiny samples above 2^-64 are kept, and no output sample is subnormal', () => {
    const out = denoise([storm(n, 2 ** -50), storm(n, 2 ** -60)]);
    expect(subnormalCount(out)).toBe(0);
    expect(out[0].some((y) => y !== 0)).toBe(true);
  });
});

/**
 * A one-unit GRU whose hidden state halves every silent frame (z = σ(0) = ½, n = tanh(0) = 0) and
 * a mask σ(2^100 · h): 1 while h > 2^-96, ½ once h is exactly 0. Without the flush h would pass
 * through the subnormal range and reach 0 only ~150 frames after the last loud frame.
 */
function decayingGruModel(): Uint8Array {
  const bins = 161;
  const wih = new Float32Array(3 * bins);
  wih[2 * bins] = 1; // n reads feature 0
  return writeModel({
    format: 'tinyhush-model', version: 1, name: 'decaying-gru', description: 'hidden state halves per frame (test model)',
    architecture: 'gru-mask', sampleRate: 16000,
    stft: { window: 'sqrt-hann', windowLength: 320, hop: 160, fftSize: 320 },
    features: { type: 'log10-power', epsilon: 1e-12, bins },
    layers: [
      { name: 'gru', op: 'gru', input: 'features', in: bins, hidden: 1, weightIh: 'gru.wih', weightHh: 'gru.whh', biasIh: 'gru.bih', biasHh: 'gru.bhh' },
      { name: 'mask', op: 'dense', input: 'gru', in: 1, out: bins, activation: 'sigmoid', weight: 'mask.weight', bias: 'mask.bias' },
    ],
    exits: [{ name: 'full', output: 'mask', layers: ['gru', 'mask'] }],
    gates: [], skippedState: 'hold', provenance: {},
  }, {
    'gru.wih': { shape: [3, bins], data: wih },
    'gru.whh': { shape: [3, 1], data: new Float32Array(3) },
    'gru.bih': { shape: [3], data: new Float32Array(3) },
    'gru.bhh': { shape: [3], data: new Float32Array(3) },
    'mask.weight': { shape: [bins, 1], data: new Float32Array(bins).fill(2 ** 100) },
    'mask.bias': { shape: [bins], data: new Float32Array(bins) },
  });
}

test('a decaying GRU hidden state is flushed to 0 once below 2^-64', () => {
  const core = createCore('simd');
  const engine = createEngine(core, readModel(decayingGruModel()));
  const state = engine.createState();
  const features = core.allocF32(engine.bins);
  const mask = core.allocF32(engine.bins);
  const maskAfter: number[] = [];
  for (let frame = 0; frame < 100; frame++) {
    core.f32(features, 1)[0] = frame === 0 ? 1 : 0;
    engine.run(state, features, mask, { exit: 0 });
    maskAfter.push(core.f32(mask, 1)[0]);
  }
  // h = tanh(1)/2 ≈ 2^-1.4 after frame 0, halving after: h ≈ 2^-61.4 after frame 60 (kept) and
  // ≈ 2^-64.4 after frame 63 (flushed); without the flush the mask would stay 1 until frame ~95.
  expect(maskAfter[60]).toBe(1);
  expect(maskAfter[63]).toBe(0.5);
  expect(maskAfter.slice(63).every((m) => m === 0.5)).toBe(true);
});

/**
 * dense → dwconv (kernel 2): x = 2^-100 · feature 0 enters the history, and the next frame's mask
 * is σ(2^100 · x_prev): ½ when the history held 0, σ(1) ≈ 0.73 had the tiny frame entered it.
 */
function tinyHistoryModel(): Uint8Array {
  const bins = 161;
  const scale = new Float32Array(bins * bins);
  for (let c = 0; c < bins; c++) scale[c * bins] = 2 ** -100; // every channel reads feature 0
  const taps = new Float32Array(2 * bins);
  for (let c = 0; c < bins; c++) taps[2 * c] = 2 ** 100; // [channels, kernel]: the older tap only
  return writeModel({
    format: 'tinyhush-model', version: 1, name: 'tiny-history', description: 'dwconv history of tiny frames (test model)',
    architecture: 'conv-mask', sampleRate: 16000,
    stft: { window: 'sqrt-hann', windowLength: 320, hop: 160, fftSize: 320 },
    features: { type: 'log10-power', epsilon: 1e-12, bins },
    layers: [
      { name: 'scale', op: 'dense', input: 'features', in: bins, out: bins, activation: 'none', weight: 'scale.weight', bias: 'scale.bias' },
      { name: 'mask', op: 'dwconv', input: 'scale', channels: bins, kernel: 2, dilation: 1, activation: 'sigmoid', weight: 'mask.weight', bias: 'mask.bias' },
    ],
    exits: [{ name: 'full', output: 'mask', layers: ['scale', 'mask'] }],
    gates: [], skippedState: 'hold', provenance: {},
  }, {
    'scale.weight': { shape: [bins, bins], data: scale },
    'scale.bias': { shape: [bins], data: new Float32Array(bins) },
    'mask.weight': { shape: [bins, 2], data: taps },
    'mask.bias': { shape: [bins], data: new Float32Array(bins) },
  });
}

test('a frame below 2^-64 enters the dwconv history as 0; one above is kept', () => {
  const core = createCore('simd');
  const engine = createEngine(core, readModel(tinyHistoryModel()));
  const state = engine.createState();
  const features = core.allocF32(engine.bins);
  const mask = core.allocF32(engine.bins);
  const maskAfter = (feature0: number): number => {
    core.f32(features, 1)[0] = feature0;
    engine.run(state, features, mask, { exit: 0 });
    return core.f32(mask, 1)[0];
  };
  maskAfter(1); // x = 2^-100: flushed
  expect(maskAfter(2 ** 40)).toBe(0.5); // x = 2^-60: kept
  expect(maskAfter(0)).toBe(1);
});

/** Models built in the tests with writeModel, for properties that need a known mask. */
import { createDenoiser } from '../src/index.js';
import { writeModel } from '../src/model/write.js';

/**
 * A one-layer gru-mask model whose mask is 1 in every bin (zero weights, bias 30 → sigmoid = 1 in
 * f32): the denoiser becomes an identity with delay, which exposes the latency bookkeeping. Its
 * zero weights turn an infinite feature into a NaN mask (0 · ∞).
 */
export function unityMaskModel(): Uint8Array {
  return constantMaskModel(30);
}

/** A one-layer model whose mask is sigmoid(`bias`) in every bin (30: 1, −30: 0 in f32). */
export function constantMaskModel(bias: number): Uint8Array {
  return writeModel({
    format: 'tinyhush-model', version: 1, name: 'constant-mask', description: 'constant mask (test model)',
    architecture: 'gru-mask', sampleRate: 16000,
    stft: { window: 'sqrt-hann', windowLength: 320, hop: 160, fftSize: 320 },
    features: { type: 'log10-power', epsilon: 1e-12, bins: 161 },
    layers: [{ name: 'mask', op: 'dense', input: 'features', in: 161, out: 161, activation: 'sigmoid', weight: 'mask.weight', bias: 'mask.bias' }],
    exits: [{ name: 'full', output: 'mask', layers: ['mask'] }],
    gates: [], skippedState: 'hold', provenance: {},
  }, {
    'mask.weight': { shape: [161, 161], data: new Float32Array(161 * 161) },
    'mask.bias': { shape: [161], data: new Float32Array(161).fill(bias) },
  });
}

/** Deterministic test audio: two tones and noise at about −20 dBFS. */
export function testAudio(samples: number, rate: number, seed = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: samples }, (_, i) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const t = i / rate;
    return 0.1 * Math.sin(2 * Math.PI * 440 * t) + 0.05 * Math.sin(2 * Math.PI * 1900 * t) + 0.02 * (state / 2 ** 32 - 0.5);
  });
}

/** A fresh mono denoiser's whole output for `input` fed in chunks of `chunk`, flush included. */
export function denoiseInChunks(model: Uint8Array, sampleRate: number, input: Float32Array, chunk: number): Float32Array {
  const denoiser = createDenoiser({ model, sampleRate, exit: 1 });
  const body = processInChunks((c) => denoiser.process(c), input, chunk);
  const tail = denoiser.flush()[0];
  const all = new Float32Array(body.length + tail.length);
  all.set(body);
  all.set(tail, body.length);
  return all;
}

/** Feeds `input` in chunks of `size` (the last one shorter) and concatenates the outputs. */
export function processInChunks(process: (chunk: Float32Array) => Float32Array, input: Float32Array, size: number): Float32Array {
  const out = new Float32Array(input.length);
  for (let at = 0; at < input.length; at += size) out.set(process(input.subarray(at, at + size)), at);
  return out;
}

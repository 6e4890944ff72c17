/**
 * A model's speech-presence head (header `speechPresence`): the engine reports the head's output
 * instead of the mask-derived estimate, and the reader refuses a head that cannot give one value
 * per frame.
 */
import { createDenoiser, ModelFormatError, type FrameReport } from '../src/index.js';
import { readModel } from '../src/model/read.js';
import { writeModel } from '../src/model/write.js';
import type { ModelHeader } from '../src/model/types.js';
import { testAudio } from './stream-models.js';

const HEAD_BIAS = 2;

/** Mask 1 everywhere (as unityMaskModel) plus a head whose zero weights leave sigmoid(HEAD_BIAS). */
function headModel(edit: (header: ModelHeader) => void = () => {}): Uint8Array {
  const header: ModelHeader = {
    format: 'tinyhush-model', version: 1, name: 'speech-head', description: 'constant speech head (test model)',
    architecture: 'gru-mask', sampleRate: 16000,
    stft: { window: 'sqrt-hann', windowLength: 320, hop: 160, fftSize: 320 },
    features: { type: 'log10-power', epsilon: 1e-12, bins: 161 },
    layers: [
      { name: 'head', op: 'dense', input: 'features', in: 161, out: 1, activation: 'sigmoid', weight: 'head.weight', bias: 'head.bias' },
      { name: 'mask', op: 'dense', input: 'features', in: 161, out: 161, activation: 'sigmoid', weight: 'mask.weight', bias: 'mask.bias' },
    ],
    exits: [{ name: 'full', output: 'mask', layers: ['head', 'mask'] }],
    gates: [], skippedState: 'hold', tensors: [], provenance: {}, speechPresence: { output: 'head' },
  };
  edit(header);
  return writeModel(header, {
    'head.weight': { shape: [1, 161], data: new Float32Array(161) },
    'head.bias': { shape: [1], data: new Float32Array([HEAD_BIAS]) },
    'mask.weight': { shape: [161, 161], data: new Float32Array(161 * 161) },
    'mask.bias': { shape: [161], data: new Float32Array(161).fill(30) },
  });
}

test('a model with a speech head reports the head, even where the mask-derived estimate would say 0 (silence)', () => {
  const denoiser = createDenoiser({ model: headModel(), sampleRate: 16000, channels: 2 });
  const frames: FrameReport[] = [];
  denoiser.onFrame = (f) => frames.push({ ...f });
  denoiser.process([testAudio(1600, 16000), new Float32Array(1600)]);
  expect(frames).toHaveLength(20);
  const expected = 1 / (1 + Math.exp(-HEAD_BIAS));
  for (const f of frames) expect(f.speechProbability).toBeCloseTo(expected, 5);
  expect(denoiser.telemetry().speechProbability).toBeCloseTo(expected, 5);
});

test('the header field survives a write and read', () => {
  expect(readModel(headModel()).header.speechPresence).toEqual({ output: 'head' });
});

test.each([
  ['a layer that is not one sigmoid unit', (h: ModelHeader) => { h.speechPresence = { output: 'mask' }; }, /out = 1 and activation sigmoid/],
  ['a missing layer', (h: ModelHeader) => { h.speechPresence = { output: 'nope' }; }, /out = 1 and activation sigmoid/],
  ['a head an exit does not run', (h: ModelHeader) => {
    h.exits = [{ name: 'cheap', output: 'mask', layers: ['mask'] }, { name: 'full', output: 'mask', layers: ['head', 'mask'] }];
  }, /exit "cheap" does not run it/],
  ['a non-object', (h: ModelHeader) => { (h as unknown as Record<string, unknown>).speechPresence = 'head'; }, /speechPresence/],
])('speechPresence naming %s is a ModelFormatError', (_name, edit, message) => {
  expect(() => readModel(headModel(edit))).toThrow(ModelFormatError);
  expect(() => readModel(headModel(edit))).toThrow(message);
});

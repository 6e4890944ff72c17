import { readFileSync } from 'node:fs';
import { ModelFormatError } from '../src/errors.js';
import { canonicalHeaderJson } from '../src/model/canonical.js';
import { crc32 } from '../src/model/crc32.js';
import { readModel } from '../src/model/read.js';
import type { ModelHeader } from '../src/model/types.js';
import { assembleFile, writeModel, type TensorData } from '../src/model/write.js';

/** Deterministic values that differ per tensor and per element. */
function ramp(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(seed * 97 + i * 0.37) * 0.5);
}

/** A tiny gru-mask model: fc_in 161→8, gru 8→8, an early exit and a full exit. */
function tinyModel(): { header: Omit<ModelHeader, 'tensors'>; tensors: Record<string, TensorData> } {
  const t = (shape: number[], seed: number): TensorData => ({ shape, data: ramp(shape.reduce((a, b) => a * b, 1), seed) });
  return {
    header: {
      format: 'tinyhush-model', version: 1, name: 'tiny', description: 'hand-made test model',
      architecture: 'gru-mask', sampleRate: 16000,
      stft: { window: 'sqrt-hann', windowLength: 320, hop: 160, fftSize: 320 },
      features: { type: 'log10-power', epsilon: 1e-12, bins: 161 },
      layers: [
        { name: 'fc_in', op: 'dense', input: 'features', in: 161, out: 8, activation: 'relu', weight: 'fc_in.weight', bias: 'fc_in.bias' },
        { name: 'gru1', op: 'gru', input: 'fc_in', in: 8, hidden: 8, weightIh: 'gru1.weight_ih', weightHh: 'gru1.weight_hh', biasIh: 'gru1.bias_ih', biasHh: 'gru1.bias_hh' },
        { name: 'exit0.mask', op: 'dense', input: 'fc_in', in: 8, out: 161, activation: 'sigmoid', weight: 'exit0.weight', bias: 'exit0.bias' },
        { name: 'mask', op: 'dense', input: 'gru1', in: 8, out: 161, activation: 'sigmoid', weight: 'mask.weight', bias: 'mask.bias' },
      ],
      exits: [
        { name: 'exit0', output: 'exit0.mask', layers: ['fc_in', 'exit0.mask'] },
        { name: 'full', output: 'mask', layers: ['fc_in', 'gru1', 'mask'] },
      ],
      gates: [],
      skippedState: 'hold',
      provenance: { note: 'tests/model-format.test.ts' },
    },
    tensors: {
      'fc_in.weight': t([8, 161], 1), 'fc_in.bias': t([8], 2),
      'gru1.weight_ih': t([24, 8], 3), 'gru1.weight_hh': t([24, 8], 4), 'gru1.bias_ih': t([24], 5), 'gru1.bias_hh': t([24], 6),
      'exit0.weight': t([161, 8], 7), 'exit0.bias': t([161], 8),
      'mask.weight': t([161, 8], 9), 'mask.bias': t([161], 10),
    },
  };
}

describe('writeModel → readModel', () => {
  test('round trip keeps the header and every tensor bit for bit', () => {
    const { header, tensors } = tinyModel();
    const model = readModel(writeModel(header, tensors));
    expect(model.header.layers).toEqual(header.layers);
    expect(model.header.exits).toEqual(header.exits);
    for (const [name, { shape, data }] of Object.entries(tensors)) {
      expect(model.header.tensors.find((s) => s.name === name)?.shape).toEqual(shape);
      expect(model.tensor(name)).toEqual(data);
    }
  });
});

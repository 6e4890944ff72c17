/**
 * Calibration (src/quant/calibrate.ts) reads the peaks the float reference interpreter finds
 * (training/quant/make_calibration_golden.py: tests/fixtures/golden/gru.thm over the first two
 * seconds of examples/noisy-sample.wav, every layer every frame) and turns them into scales by the
 * rule of docs/integer.md, "Scales (calibration)".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionError } from '../src/errors.js';
import { readModel } from '../src/model/read.js';
import { readWavFile } from '../src/node/wav.js';
import { homogeneousConfig } from '../src/quant/bit-config.js';
import { calibrate, PRE_ACTIVATION_RANGE } from '../src/quant/calibrate.js';

const root = process.cwd();
const golden = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'golden', 'int-calibration.json'), 'utf8')) as
  { model: string; audio: string; seconds: number; peaks: Record<string, number> };
const model = readModel(new Uint8Array(readFileSync(join(root, golden.model))));
let clip: Float32Array;
const relativeError = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
beforeAll(async () => {
  clip = (await readWavFile(join(root, golden.audio))).channels[0].subarray(0, golden.seconds * 16000);
});

test.each([[8, 127], [16, 32767]])('%i-bit activations: peak / %i for the features and none/relu outputs, 16 / (2^(P−1) − 1) for pre-activations', (act, top) => {
  const bits = homogeneousConfig(model.header, 8, act);
  const scales = calibrate(model, [clip], bits);
  const { features, ...layerPeaks } = golden.peaks;
  expect(Math.fround(scales.features)).toBe(scales.features);
  // f32 engine against the float reference: the largest |feature| is the log power of the
  // quietest bin, where the two FFTs' rounding differs most (0.03% here).
  expect(relativeError(scales.features * top, features)).toBeLessThan(1e-3);
  for (const [name, peak] of Object.entries(layerPeaks)) {
    const error = relativeError((scales.layers[name] as { out: number }).out * top, peak);
    expect({ [name]: error < 1e-4 }).toEqual({ [name]: true });
  }
  const pre = PRE_ACTIVATION_RANGE / 32767;
  for (const name of ['exit0.mask', 'exit1.mask', 'fc_out']) expect(scales.layers[name]).toEqual({ pre });
  for (const name of ['gru1', 'gru2']) expect(scales.layers[name]).toEqual({ pre: { r: pre, z: pre, n: pre } });
  expect(Object.keys(scales.layers)).toEqual(model.header.layers.map((l) => l.name));
});

test('the pre-activation scale follows each configured width', () => {
  const base = homogeneousConfig(model.header, 8, 16);
  const bits = { ...base, layers: { ...base.layers, fc_out: { ...base.layers.fc_out, pre: 10, table: 8 } } };
  expect(calibrate(model, [clip.subarray(0, 1600)], bits).layers.fc_out).toEqual({ pre: PRE_ACTIVATION_RANGE / 511 });
});

test('audio without a full hop and models that are not float dense/GRU are refused', () => {
  const bits = homogeneousConfig(model.header, 8, 16);
  expect(() => calibrate(model, [new Float32Array(159)], bits)).toThrow(InvalidOptionError);
  expect(() => calibrate(model, [], bits)).toThrow(/no full hop \(160 samples at 16000 Hz\)/);
  const conv = readModel(new Uint8Array(readFileSync(join(root, 'tests', 'fixtures', 'golden', 'conv.thm'))));
  expect(() => calibrate(conv, [clip], bits)).toThrow(/is dwconv; only models of float dense and gru layers can be quantized/);
});

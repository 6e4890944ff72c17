/**
 * quantizeModel (src/quant/quantize-model.ts) writes the same bytes as training/quant/export_int.py
 * (golden: training/quant/make_export_golden.py, gru.thm at a mixed configuration), and the file it
 * writes is the float model with integer layers, laid out as the contract says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionError } from '../src/errors.js';
import { readModel } from '../src/model/read.js';
import type { BitConfig } from '../src/quant/bit-config.js';
import { scalesFromPeaks } from '../src/quant/calibrate.js';
import { quantizeModel } from '../src/quant/quantize-model.js';
import type { QuantScales } from '../src/quant/scales.js';

const fixture = (name: string) => new Uint8Array(readFileSync(join(process.cwd(), 'tests', 'fixtures', 'golden', name)));
const json = (name: string) => JSON.parse(new TextDecoder().decode(fixture(name)));
const float = readModel(fixture('gru.thm'));
const golden = json('int-export.json') as { name: string; description: string; bits: BitConfig; scales: QuantScales };
const meta = { name: golden.name, description: golden.description };

test('the same bytes as export_int.py', () => {
  expect(Buffer.from(quantizeModel(float, golden.bits, golden.scales, meta)).equals(Buffer.from(fixture('int-export.thm')))).toBe(true);
});

test('the golden scales follow the calibration rule from the golden peaks', () => {
  const { features, ...layers } = json('int-calibration.json').peaks;
  expect(scalesFromPeaks(float.header, { features, layers }, golden.bits)).toEqual(golden.scales);
});

test('every dense layer becomes dense-int and every gru gru-int; the rest of the header is kept', () => {
  const { header } = readModel(quantizeModel(float, golden.bits, golden.scales, meta));
  expect(header.layers.map((l) => [l.name, l.op, 'input' in l && l.input]))
    .toEqual(float.header.layers.map((l) => [l.name, `${l.op}-int`, 'input' in l && l.input]));
  const { layers: _l, tensors: _t, provenance, name, description, ...rest } = header;
  const { layers: _fl, tensors: _ft, provenance: floatProvenance, name: _n, description: _d, ...floatRest } = float.header;
  expect([name, description]).toEqual([golden.name, golden.description]);
  expect(rest).toEqual({ ...floatRest, version: 2 }); // narrow integer arrays need format version 2
  expect(provenance).toEqual({ ...floatProvenance, quantization: { from: float.header.name, bits: golden.bits, scales: golden.scales } });
  const first = header.layers[0];
  expect(first.op === 'dense-int' && first.quant).toMatchObject({ inputBits: 16, inputScale: golden.scales.features });
  expect(header.tensors.slice(0, 6).map((t) => `${t.name} ${t.dtype}`)).toEqual([
    'fc_in.weight int3', 'fc_in.weight.scale f32', 'fc_in.bias i32', 'fc_in.multiplier i32', 'fc_in.shift i8', 'gru1.ir int2']);
  expect(header.tensors.filter((t) => t.name.startsWith('gru1.')).map((t) => t.name)).toEqual([
    'gru1.ir', 'gru1.ir.scale', 'gru1.iz', 'gru1.iz.scale', 'gru1.in', 'gru1.in.scale', 'gru1.hr', 'gru1.hr.scale',
    'gru1.hz', 'gru1.hz.scale', 'gru1.hn', 'gru1.hn.scale', 'gru1.biasIh', 'gru1.biasHh', 'gru1.multiplier', 'gru1.shift',
    'gru1.tableR', 'gru1.tableZ', 'gru1.tableN']);
  expect(header.tensors.filter((t) => t.name.startsWith('fc_out.')).map((t) => `${t.name} [${t.shape}]`)).toEqual([
    'fc_out.weight [161,32]', 'fc_out.weight.scale [161]', 'fc_out.bias [161]', 'fc_out.multiplier [161]', 'fc_out.shift [161]',
    'fc_out.table [512]']);
});

test('bits or scales that do not fit the model, and models that are not float dense/GRU, are InvalidOptionErrors', () => {
  const { gru2: _gone, ...fewer } = golden.bits.layers;
  expect(() => quantizeModel(float, { ...golden.bits, layers: fewer }, golden.scales, meta)).toThrow(InvalidOptionError);
  const badScales = { ...golden.scales, layers: { ...golden.scales.layers, fc1: { pre: 0.01 } } };
  expect(() => quantizeModel(float, golden.bits, badScales, meta)).toThrow(/scales: layers.fc1 must have exactly the keys out/);
  expect(() => quantizeModel(float, golden.bits, { ...golden.scales, features: -1 }, meta)).toThrow(/features must be a positive finite number/);
  const conv = readModel(fixture('conv.thm'));
  expect(() => quantizeModel(conv, golden.bits, golden.scales, meta)).toThrow(InvalidOptionError);
});

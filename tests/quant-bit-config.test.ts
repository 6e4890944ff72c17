/**
 * Bit configurations (src/quant/bit-config.ts): the homogeneous configuration of ptq.py, the JSON
 * checks, the operators a search changes, and model sizes computed without building the model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionError } from '../src/errors.js';
import { readModel } from '../src/model/read.js';
import {
  checkBitConfig, homogeneousConfig, modelSizeBytes, operatorsOf, widthOf, withWidths, type BitConfig,
} from '../src/quant/bit-config.js';
import { quantizeModel } from '../src/quant/quantize-model.js';
import type { QuantScales } from '../src/quant/scales.js';
import { SeededRandom } from '../src/quant/random.js';

const golden = (name: string) => readModel(new Uint8Array(readFileSync(join(process.cwd(), 'tests', 'fixtures', 'golden', name))));
const model = golden('gru.thm');
const header = model.header;

/** Any valid scales: sizes do not depend on them. */
const SCALES: QuantScales = {
  features: 0.0004,
  layers: Object.fromEntries(header.layers.map((l) => [l.name, l.op === 'gru' ? { pre: { r: 5e-4, z: 5e-4, n: 5e-4 } }
    : l.op === 'dense' && l.activation === 'sigmoid' ? { pre: 5e-4 } : { out: 1e-3 }])),
};

const tensorBytes = (bits: BitConfig): number =>
  readModel(quantizeModel(model, bits, SCALES, { name: 'q', description: 'q' })).header.tensors.reduce((sum, t) => sum + t.byteLength, 0);

describe('homogeneousConfig', () => {
  test('as ptq.py config: every weight N bits, activations A, pre 16, tables 12 (10 at A = 8), biases 32', () => {
    const c = homogeneousConfig(header, 5, 8);
    expect(c.features).toBe(8);
    expect(c.layers.fc_in).toEqual({ w: 5, bias: 32, out: 8 });
    expect(c.layers.fc_out).toEqual({ w: 5, bias: 32, out: 8, pre: 16, table: 10 });
    expect(c.layers.gru1).toEqual({
      ir: 5, iz: 5, in: 5, hr: 5, hz: 5, hn: 5, bias: 32, pre: { r: 16, z: 16, n: 16 }, table: { r: 10, z: 10, n: 10 },
      r: 8, z: 8, n: 8, h: 8,
    });
    expect(homogeneousConfig(header, 8, 16).layers['exit0.mask']).toEqual({ w: 8, bias: 32, out: 16, pre: 16, table: 12 });
    expect(Object.keys(c.layers)).toEqual(header.layers.map((l) => l.name));
  });

  test('a model with layers other than float dense/gru is refused', () => {
    expect(() => homogeneousConfig(golden('conv.thm').header, 8, 16)).toThrow(InvalidOptionError);
  });
});

describe('checkBitConfig', () => {
  const valid = () => JSON.parse(JSON.stringify(homogeneousConfig(header, 8, 16)));

  test('a valid configuration comes back equal, through JSON', () => {
    expect(checkBitConfig(valid(), header)).toEqual(homogeneousConfig(header, 8, 16));
  });

  test.each<[string, (c: Record<string, any>) => unknown, RegExp]>([
    ['not an object', () => [], /the configuration must be an object/],
    ['a missing layer', (c) => { delete c.layers.gru2; return c; }, /layers lacks gru2/],
    ['an unknown layer', (c) => { c.layers.gru3 = c.layers.gru2; return c; }, /layers has unknown key\(s\) gru3/],
    ['a 9-bit weight', (c) => { c.layers.fc_in.w = 9; return c; }, /layers.fc_in.w must be an integer from 2 to 8, got 9/],
    ['a fractional width', (c) => { c.layers.gru1.hz = 4.5; return c; }, /layers.gru1.hz must be an integer from 2 to 8, got 4.5/],
    ['a string width', (c) => { c.features = '16'; return c; }, /features must be an integer from 2 to 16, got "16"/],
    ['a table wider than its pre-activation', (c) => { c.layers.gru1.pre.n = 10; c.layers.gru1.table.n = 11; return c; },
      /layers.gru1.table.n must be an integer from 1 to 10, got 11/],
    ['a table of 13 bits', (c) => { c.layers.fc_out.table = 13; return c; }, /layers.fc_out.table must be an integer from 1 to 12/],
    ['a sigmoid layer without a table', (c) => { delete c.layers.fc_out.table; return c; }, /layers.fc_out lacks table/],
    ['a relu layer with a table', (c) => { c.layers.fc1.table = 8; return c; }, /layers.fc1 has unknown key\(s\) table/],
    ['a 4-bit bias', (c) => { c.layers.fc1.bias = 4; return c; }, /layers.fc1.bias must be an integer from 8 to 32/],
  ])('%s is an InvalidOptionError naming the entry', (_case, edit, message) => {
    const bad = edit(valid());
    expect(() => checkBitConfig(bad, header)).toThrow(InvalidOptionError);
    expect(() => checkBitConfig(bad, header)).toThrow(message);
  });
});

describe('operatorsOf and withWidths', () => {
  const ops = operatorsOf(header);

  test('the features, each dense layer\'s w and out (plus pre and table when tabled), each GRU\'s 16 widths', () => {
    // 1 + 4 relu × 2 + 3 sigmoid × 4 + 2 GRUs × (6 matrices + 3 pre + 3 tables + r, z, n, h)
    expect(ops).toHaveLength(1 + 4 * 2 + 3 * 4 + 2 * 16);
    const at = (path: string) => ops.find((op) => op.path.join('.') === path)!;
    expect(at('layers.gru1.hn').values).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(at('layers.gru1.h').values).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(at('layers.fc_out.pre').values).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(at('layers.fc_out.table')).toEqual({ path: ['layers', 'fc_out', 'table'], values: [6, 7, 8, 9, 10, 11, 12], atMost: ['layers', 'fc_out', 'pre'] });
    expect(at('features').values).toEqual(at('layers.fc_in.out').values);
    expect(ops.some((op) => op.path.at(-1) === 'bias')).toBe(false);
  });

  test('every value of every operator gives a valid configuration; tables are narrowed to their pre-activation', () => {
    const base = homogeneousConfig(header, 8, 16);
    expect(ops.map((op) => widthOf(base, op))).toEqual(ops.map((op) => (op.path.includes('table') ? 12 : op.path.includes('pre') ? 16
      : op.values.length === 7 ? 8 : 16)));
    const random = new SeededRandom(5);
    for (let trial = 0; trial < 20; trial++) {
      const values = ops.map((op) => random.pick(op.values));
      const config = withWidths(base, ops, values);
      expect(checkBitConfig(config, header)).toEqual(config);
      ops.forEach((op, i) => {
        const expected = op.atMost ? Math.min(values[i], values[ops.findIndex((o) => o.path.join() === op.atMost!.join())]) : values[i];
        expect(widthOf(config, op)).toBe(expected);
      });
    }
    expect(base).toEqual(homogeneousConfig(header, 8, 16));
  });
});

describe('modelSizeBytes', () => {
  test.each([2, 3, 4, 5, 6, 7, 8])('equals the built file\'s tensor bytes at %i-bit weights', (w) => {
    for (const act of [8, 16]) {
      const bits = homogeneousConfig(header, w, act);
      expect(modelSizeBytes(model, bits)).toBe(tensorBytes(bits));
    }
  });

  test('equals the built file\'s tensor bytes at mixed widths', () => {
    const ops = operatorsOf(header);
    const random = new SeededRandom(11);
    for (let trial = 0; trial < 5; trial++) {
      const bits = withWidths(homogeneousConfig(header, 8, 16), ops, ops.map((op) => random.pick(op.values)));
      expect(modelSizeBytes(model, bits)).toBe(tensorBytes(bits));
    }
  });
});

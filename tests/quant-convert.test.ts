/**
 * The TypeScript converter (src/quant/convert.ts) makes exactly what training/quant/convert.py makes
 * of the same float layers (golden vectors of training/quant/make_convert_golden.py): weight codes,
 * per-row scales, fitted bias codes, multipliers, shifts and tables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { I32TensorData, PackedTensorData, F32TensorData, TensorData } from '../src/model/encode-tensor.js';
import type { Activation } from '../src/model/types.js';
import type { DenseBits, GruBits } from '../src/quant/bit-config.js';
import { convertDense, convertGru } from '../src/quant/convert.js';
import { quantizeMultiplier } from '../src/quant/spec.js';

interface DenseCase {
  name: string; rows: number; cols: number; act: Activation; bits: DenseBits; inBits: number; inScale: number;
  scale: number; weight: number[]; bias: number[];
  expected: { W: number[]; wScale: number[]; bias: number[]; multiplier: number[]; shift: number[]; table: number[] | null };
}
interface GruCase {
  name: string; inSize: number; hidden: number; bits: GruBits; inBits: number; inScale: number;
  preScale: { r: number; z: number; n: number }; weightIh: number[]; weightHh: number[]; biasIh: number[]; biasHh: number[];
  expected: {
    W: Record<string, number[]>; wScale: Record<string, number[]>; biasIh: number[]; biasHh: number[];
    multiplier: number[]; shift: number[]; tables: Record<string, number[]>;
  };
}

const golden = JSON.parse(readFileSync(join(process.cwd(), 'tests', 'fixtures', 'golden', 'int-convert.json'), 'utf8')) as
  { dense: DenseCase[]; gru: GruCase[] };

const codes = (t: TensorData): number[] => Array.from((t as PackedTensorData).codes);
const values = (t: TensorData): number[] => Array.from((t as F32TensorData | I32TensorData).data);

describe('convertDense equals convert.dense_layer', () => {
  test.each(golden.dense.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const tabled = c.act === 'sigmoid' || c.act === 'tanh';
    const { layer, tensors } = convertDense(
      { name: 'd', op: 'dense', input: 'x', in: c.cols, out: c.rows, activation: c.act, weight: 'd.w', bias: 'd.b' },
      Float32Array.from(c.weight), Float32Array.from(c.bias), c.bits, { bits: c.inBits, scale: c.inScale, fromFeatures: false },
      tabled ? { pre: c.scale } : { out: c.scale });
    const e = c.expected;
    expect(tensors['d.weight'].dtype).toBe(`int${c.bits.w}`);
    expect(codes(tensors['d.weight'])).toEqual(e.W);
    expect(values(tensors['d.weight.scale'])).toEqual(e.wScale);
    expect(values(tensors['d.bias'])).toEqual(e.bias);
    expect(values(tensors['d.multiplier'])).toEqual(e.multiplier);
    expect(values(tensors['d.shift'])).toEqual(e.shift);
    expect(tensors['d.table'] === undefined ? null : values(tensors['d.table'])).toEqual(e.table);
    expect(Object.keys(tensors)).toEqual(['d.weight', 'd.weight.scale', 'd.bias', 'd.multiplier', 'd.shift', ...(tabled ? ['d.table'] : [])]);
    expect(layer.quant).toEqual({
      biasBits: c.bits.bias, preBits: c.bits.pre ?? null, preScale: tabled ? c.scale : null, tableBits: c.bits.table ?? null,
      outputBits: c.bits.out, outputScale: tabled ? 2 ** -(c.bits.out - 1) : c.scale,
    });
  });
});

describe('convertGru equals convert.gru_layer', () => {
  test.each(golden.gru.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { tensors } = convertGru(
      { name: 'g', op: 'gru', input: 'x', in: c.inSize, hidden: c.hidden, weightIh: 'a', weightHh: 'b', biasIh: 'c', biasHh: 'd' },
      Float32Array.from(c.weightIh), Float32Array.from(c.weightHh), Float32Array.from(c.biasIh), Float32Array.from(c.biasHh),
      c.bits, { bits: c.inBits, scale: c.inScale, fromFeatures: false }, { pre: c.preScale });
    const e = c.expected;
    for (const m of ['ir', 'iz', 'in', 'hr', 'hz', 'hn'] as const) {
      expect([m, tensors[`g.${m}`].dtype, codes(tensors[`g.${m}`])]).toEqual([m, `int${c.bits[m]}`, e.W[m]]);
      expect([m, values(tensors[`g.${m}.scale`])]).toEqual([m, e.wScale[m]]);
    }
    expect(values(tensors['g.biasIh'])).toEqual(e.biasIh);
    expect(values(tensors['g.biasHh'])).toEqual(e.biasHh);
    expect(values(tensors['g.multiplier'])).toEqual(e.multiplier);
    expect(values(tensors['g.shift'])).toEqual(e.shift);
    expect([values(tensors['g.tableR']), values(tensors['g.tableZ']), values(tensors['g.tableN'])])
      .toEqual([e.tables.r, e.tables.z, e.tables.n]);
  });
});

describe('the input boundary', () => {
  test('a layer reading the features carries inputBits, inputScale and f32(1 / inputScale)', () => {
    const { layer } = convertDense(
      { name: 'd', op: 'dense', input: 'features', in: 2, out: 1, activation: 'relu', weight: 'w', bias: 'b' },
      Float32Array.of(0.5, -1), Float32Array.of(0.1), { w: 8, bias: 32, out: 16 }, { bits: 16, scale: 0.3, fromFeatures: true },
      { out: 0.01 });
    expect(layer.quant).toMatchObject({ inputBits: 16, inputScale: 0.3, invInputScale: Math.fround(1 / 0.3) });
    expect(Object.keys(layer.quant).slice(0, 3)).toEqual(['inputBits', 'inputScale', 'invInputScale']);
  });
});

describe('quantizeMultiplier (docs/integer.md, "Requantization multipliers")', () => {
  test('m = round(f · 2^31) with ties to even, s = 31 − k', () => {
    expect(quantizeMultiplier(0.5)).toEqual([2 ** 30, 31]);
    expect(quantizeMultiplier(3)).toEqual([0.75 * 2 ** 31, 29]);
    // f · 2^31 = 2^30 + 0.5 (a tie) rounds to the even 2^30; + 1.5 rounds up to 2^30 + 2.
    expect(quantizeMultiplier(0.5 + 2 ** -32)).toEqual([2 ** 30, 31]);
    expect(quantizeMultiplier(0.5 + 3 * 2 ** -32)).toEqual([2 ** 30 + 2, 31]);
  });

  test('a mantissa that rounds up to 2^31 moves to the next exponent', () => {
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual([2 ** 30, 30]);
  });

  test('factors below 2^−32 give (0, 1), subnormals included; 2^30 and up, zero or NaN throw', () => {
    expect(quantizeMultiplier(2 ** -32)).toEqual([2 ** 30, 62]);
    expect(quantizeMultiplier(2 ** -33)).toEqual([0, 1]);
    expect(quantizeMultiplier(5e-324)).toEqual([0, 1]);
    expect(quantizeMultiplier(2 ** 30 - 1)[1]).toBe(1);
    for (const bad of [2 ** 30, 0, -1, Number.NaN, Infinity]) expect(() => quantizeMultiplier(bad)).toThrow(/requantization factor/);
  });
});

/**
 * Float `dense` / `gru` layers → `dense-int` / `gru-int` header layers and their tensors
 * (docs/integer.md), as training/quant/convert.py computes them: weight codes with per-row scales,
 * biases at accumulator scale fitted to the overflow bound, Q31 multipliers, tables.
 */
import type { TensorData } from '../model/encode-tensor.js';
import type { DenseIntLayer, DenseLayer, GateTriple, GruIntLayer, GruLayer, IntDtype, IntInputQuant } from '../model/types.js';
import type { DenseBits, GruBits } from './bit-config.js';
import { isTabled } from './bit-config.js';
import type { DenseScales, GruScales } from './scales.js';
import { buildTable, fitBiasToAccumulator, quantizeBias, quantizeMultiplier, quantizeWeight } from './spec.js';

/** The codes a layer reads: their width and scale, and whether they are the quantized features. */
export interface InputCodes {
  bits: number;
  scale: number;
  fromFeatures: boolean;
}

/** An integer layer and its tensors, in the file's order. */
export interface ConvertedLayer<L> {
  layer: L;
  tensors: Record<string, TensorData>;
}

/** The fixed scale `2^−(bits−1)` of r, z, n, h and table outputs. */
export function pow2Scale(bits: number): number {
  return 2 ** -(bits - 1);
}

/** `inputBits`, `inputScale`, `invInputScale` for a layer reading the features, else nothing. */
function inputQuant(input: InputCodes): IntInputQuant | Record<string, never> {
  return input.fromFeatures ? { inputBits: input.bits, inputScale: input.scale, invInputScale: Math.fround(1 / input.scale) } : {};
}

/** The i32 tensor of `values`, shaped `shape` (written in its smallest dtype: `narrowIntArrays`). */
function i32(values: Int32Array, shape: number[]): TensorData {
  return { dtype: 'i32', shape, data: values };
}

interface AccumulatorTerms {
  codes: Int8Array;
  scales: Float32Array;
  bias: Int32Array;
  multiplier: Int32Array;
  shift: Int32Array;
}

/** Codes, scales, fitted bias codes and `(m, s)` of one matrix whose accumulator is requantized to `target`. */
function accumulatorTerms(w: Float32Array, b: Float32Array, rows: number, cols: number, weightBits: number,
  biasBits: number, input: { bits: number; scale: number }, target: number): AccumulatorTerms {
  const { codes, scales } = quantizeWeight(w, rows, cols, weightBits);
  const accScale = Float64Array.from(scales, (s) => s * input.scale);
  const bias = fitBiasToAccumulator(quantizeBias(b, accScale, biasBits), codes, cols, input.bits);
  const pairs = Array.from(accScale, (a) => quantizeMultiplier(a / target));
  return { codes, scales, bias, multiplier: Int32Array.from(pairs, (p) => p[0]), shift: Int32Array.from(pairs, (p) => p[1]) };
}

/** The packed weight tensor `name` (and its scale tensor `name.scale`) of a matrix's terms. */
function weightTensors(name: string, terms: AccumulatorTerms, rows: number, cols: number, bits: number): Record<string, TensorData> {
  return {
    [name]: { dtype: `int${bits}` as IntDtype, shape: [rows, cols], codes: terms.codes, scale: `${name}.scale` },
    [`${name}.scale`]: { shape: [rows], data: terms.scales },
  };
}

/**
 * A `dense-int` layer from float `layer` (weight `[out, in]`, bias `[out]`). `scales` holds `out`
 * for none/relu (per-tensor output scale) or `pre` for sigmoid/tanh (output scale `2^−(out−1)`).
 */
export function convertDense(layer: DenseLayer, weight: Float32Array, bias: Float32Array, bits: DenseBits,
  input: InputCodes, scales: DenseScales): ConvertedLayer<DenseIntLayer> {
  const tabled = isTabled(layer);
  const target = 'pre' in scales ? scales.pre : scales.out;
  const terms = accumulatorTerms(weight, bias, layer.out, layer.in, bits.w, bits.bias, input, target);
  const { name, out } = layer;
  const tensors: Record<string, TensorData> = {
    ...weightTensors(`${name}.weight`, terms, out, layer.in, bits.w),
    [`${name}.bias`]: i32(terms.bias, [out]),
    [`${name}.multiplier`]: i32(terms.multiplier, [out]),
    [`${name}.shift`]: i32(terms.shift, [out]),
  };
  if (tabled) {
    tensors[`${name}.table`] = i32(buildTable(layer.activation as 'sigmoid' | 'tanh', bits.pre!, target, bits.table!, bits.out), [2 ** bits.table!]);
  }
  return {
    layer: {
      name, op: 'dense-int', input: layer.input, in: layer.in, out, activation: layer.activation,
      weight: `${name}.weight`, bias: `${name}.bias`, multiplier: `${name}.multiplier`, shift: `${name}.shift`,
      table: tabled ? `${name}.table` : null,
      quant: {
        ...inputQuant(input), biasBits: bits.bias, preBits: tabled ? bits.pre! : null, preScale: tabled ? target : null,
        tableBits: tabled ? bits.table! : null, outputBits: bits.out, outputScale: tabled ? pow2Scale(bits.out) : target,
      },
    },
    tensors,
  };
}

const GATES = ['r', 'z', 'n'] as const;
const IH = ['ir', 'iz', 'in'] as const;
const HH = ['hr', 'hz', 'hn'] as const;
const TABLE_NAMES: Record<keyof GateTriple, string> = { r: 'tableR', z: 'tableZ', n: 'tableN' };

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => { out.set(p, at); return at + p.length; }, 0);
  return out;
}

/**
 * A `gru-int` layer from float `layer` (torch.nn.GRU tensors: weights `[3h, in]`, `[3h, h]`, biases
 * `[3h]`, gate order r, z, n). Each of the six matrices gets its own width, per-row scales and
 * multipliers towards its gate's pre-activation scale.
 */
export function convertGru(layer: GruLayer, weightIh: Float32Array, weightHh: Float32Array, biasIh: Float32Array,
  biasHh: Float32Array, bits: GruBits, input: InputCodes, scales: GruScales): ConvertedLayer<GruIntLayer> {
  const { name, hidden: h } = layer;
  const state = { bits: bits.h, scale: pow2Scale(bits.h) };
  /** Gate k's rows of a `[3h, cols]` tensor. */
  const gateRows = (values: Float32Array, cols: number, k: number): Float32Array => values.subarray(k * h * cols, (k + 1) * h * cols);
  const ih = GATES.map((gate, k) => accumulatorTerms(gateRows(weightIh, layer.in, k), gateRows(biasIh, 1, k), h, layer.in,
    bits[IH[k]], bits.bias, input, scales.pre[gate]));
  const hh = GATES.map((gate, k) => accumulatorTerms(gateRows(weightHh, h, k), gateRows(biasHh, 1, k), h, h,
    bits[HH[k]], bits.bias, state, scales.pre[gate]));
  const matrices = [...ih, ...hh];
  const tensors: Record<string, TensorData> = {};
  [...IH, ...HH].forEach((m, i) => Object.assign(tensors, weightTensors(`${name}.${m}`, matrices[i], h, i < 3 ? layer.in : h, bits[m])));
  Object.assign(tensors, {
    [`${name}.biasIh`]: i32(concat(ih.map((t) => t.bias)), [3 * h]),
    [`${name}.biasHh`]: i32(concat(hh.map((t) => t.bias)), [3 * h]),
    [`${name}.multiplier`]: i32(concat(matrices.map((t) => t.multiplier)), [6, h]),
    [`${name}.shift`]: i32(concat(matrices.map((t) => t.shift)), [6, h]),
  });
  for (const g of GATES) {
    tensors[`${name}.${TABLE_NAMES[g]}`] = i32(buildTable(g === 'n' ? 'tanh' : 'sigmoid', bits.pre[g], scales.pre[g], bits.table[g], bits[g]), [2 ** bits.table[g]]);
  }
  return {
    layer: {
      name, op: 'gru-int', input: layer.input, in: layer.in, hidden: h,
      weights: { ir: `${name}.ir`, iz: `${name}.iz`, in: `${name}.in`, hr: `${name}.hr`, hz: `${name}.hz`, hn: `${name}.hn` },
      biasIh: `${name}.biasIh`, biasHh: `${name}.biasHh`, multiplier: `${name}.multiplier`, shift: `${name}.shift`,
      tables: { r: `${name}.${TABLE_NAMES.r}`, z: `${name}.${TABLE_NAMES.z}`, n: `${name}.${TABLE_NAMES.n}` },
      quant: {
        ...inputQuant(input), biasBits: bits.bias, preBits: { ...bits.pre }, preScale: { ...scales.pre },
        tableBits: { ...bits.table }, bits: { r: bits.r, z: bits.z, n: bits.n, h: bits.h },
      },
    },
    tensors,
  };
}

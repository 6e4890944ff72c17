/**
 * Bit-width configurations of an integer model (docs/integer.md; the JSON of training/quant/convert.py's
 * `bits` dicts): one entry per float `dense` and `gru` layer, plus the width of the feature codes.
 */
import { InvalidOptionError } from '../errors.js';
import { packedBytes, PLAIN_INTS } from '../model/encodings.js';
import { biasDtype, MULTIPLIER_DTYPE, SHIFT_DTYPE, tableDtype } from '../model/narrow-ints.js';
import type { DenseLayer, GateTriple, GruLayer, ModelHeader, PlainIntDtype } from '../model/types.js';

/** Widths of one `dense` layer; `pre` and `table` only for sigmoid/tanh layers. */
export interface DenseBits {
  w: number;
  bias: number;
  out: number;
  pre?: number;
  table?: number;
}

/** One width per GRU gate. */
export type GateBits = GateTriple;

/** Widths of one `gru` layer: its six matrices, biases, gate pre-activations, tables, r, z, n and h. */
export interface GruBits {
  ir: number;
  iz: number;
  in: number;
  hr: number;
  hz: number;
  hn: number;
  bias: number;
  pre: GateBits;
  table: GateBits;
  r: number;
  z: number;
  n: number;
  h: number;
}

/** A model's configuration: `features` = width of the codes of layers reading the features. */
export interface BitConfig {
  features: number;
  layers: Record<string, DenseBits | GruBits>;
}

/** A float layer that becomes integer. */
export type QuantizableLayer = DenseLayer | GruLayer;

/** Whether a dense layer ends in a table (sigmoid/tanh) rather than a requantized output. */
export function isTabled(layer: DenseLayer): boolean {
  return layer.activation === 'sigmoid' || layer.activation === 'tanh';
}

/**
 * The model's layers, every one of which must be float `dense` or `gru`.
 * @throws InvalidOptionError for any other layer (convolutional or already integer models).
 */
export function quantizableLayers(header: ModelHeader): QuantizableLayer[] {
  return header.layers.map((layer) => {
    if (layer.op !== 'dense' && layer.op !== 'gru') {
      throw new InvalidOptionError(`model "${header.name}": layer "${layer.name}" is ${layer.op}; only models of float `
        + 'dense and gru layers can be quantized');
    }
    return layer;
  });
}

const GRU_MATRICES = ['ir', 'iz', 'in', 'hr', 'hz', 'hn'] as const;
const GATES = ['r', 'z', 'n'] as const;

/**
 * The homogeneous configuration of training/quant/ptq.py's `config`: every weight matrix
 * `weightBits`, every activation `actBits` (features at least 8), pre-activations 16 bits, tables
 * of 2^12 entries (2^10 at activations of 8 bits or fewer), biases 32 bits.
 */
export function homogeneousConfig(header: ModelHeader, weightBits: number, actBits: number): BitConfig {
  const table = actBits > 8 ? 12 : 10;
  const gates = (bits: number): GateBits => ({ r: bits, z: bits, n: bits });
  const layers: BitConfig['layers'] = {};
  for (const layer of quantizableLayers(header)) {
    layers[layer.name] = layer.op === 'gru'
      ? { ir: weightBits, iz: weightBits, in: weightBits, hr: weightBits, hz: weightBits, hn: weightBits, bias: 32,
        pre: gates(16), table: gates(table), r: actBits, z: actBits, n: actBits, h: actBits }
      : { w: weightBits, bias: 32, out: actBits, ...(isTabled(layer) && { pre: 16, table }) };
  }
  return checkBitConfig({ features: Math.max(actBits, 8), layers }, header);
}

/** Allowed widths by kind (docs/integer.md, "Codes and scales"). */
const RANGES = { weight: [2, 8], bias: [8, 32], activation: [2, 16], pre: [2, 16], table: [1, 12] } as const;

type Json = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new InvalidOptionError(`bit configuration: ${path} ${message}`);
}

function objectAt(value: unknown, path: string, keys: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0) fail(path, `has unknown key(s) ${unknown.join(', ')}; expected ${keys.join(', ')}`);
  const missing = keys.filter((key) => !Object.hasOwn(value, key));
  if (missing.length > 0) fail(path, `lacks ${missing.join(', ')}`);
  return value as Json;
}

function widthAt(value: unknown, path: string, [low, high]: readonly [number, number]): number {
  if (!Number.isInteger(value) || (value as number) < low || (value as number) > high) {
    fail(path, `must be an integer from ${low} to ${high}, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

function tableAt(value: unknown, path: string, pre: number): number {
  return widthAt(value, path, [RANGES.table[0], Math.min(RANGES.table[1], pre)]);
}

function checkDense(value: unknown, path: string, layer: DenseLayer): DenseBits {
  const tabled = isTabled(layer);
  const o = objectAt(value, path, tabled ? ['w', 'bias', 'out', 'pre', 'table'] : ['w', 'bias', 'out']);
  const bits: DenseBits = {
    w: widthAt(o.w, `${path}.w`, RANGES.weight), bias: widthAt(o.bias, `${path}.bias`, RANGES.bias),
    out: widthAt(o.out, `${path}.out`, RANGES.activation),
  };
  if (!tabled) return bits;
  const pre = widthAt(o.pre, `${path}.pre`, RANGES.pre);
  return { ...bits, pre, table: tableAt(o.table, `${path}.table`, pre) };
}

function checkGru(value: unknown, path: string): GruBits {
  const o = objectAt(value, path, [...GRU_MATRICES, 'bias', 'pre', 'table', ...GATES, 'h']);
  const pre = objectAt(o.pre, `${path}.pre`, GATES);
  const table = objectAt(o.table, `${path}.table`, GATES);
  const gates = (f: (g: typeof GATES[number]) => number): GateBits => ({ r: f('r'), z: f('z'), n: f('n') });
  const preBits = gates((g) => widthAt(pre[g], `${path}.pre.${g}`, RANGES.pre));
  const m = (g: typeof GRU_MATRICES[number]): number => widthAt(o[g], `${path}.${g}`, RANGES.weight);
  const a = (g: 'r' | 'z' | 'n' | 'h'): number => widthAt(o[g], `${path}.${g}`, RANGES.activation);
  return {
    ir: m('ir'), iz: m('iz'), in: m('in'), hr: m('hr'), hz: m('hz'), hn: m('hn'),
    bias: widthAt(o.bias, `${path}.bias`, RANGES.bias), pre: preBits,
    table: gates((g) => tableAt(table[g], `${path}.table.${g}`, preBits[g])),
    r: a('r'), z: a('z'), n: a('n'), h: a('h'),
  };
}

/**
 * Checks a parsed JSON bit configuration against `header` and returns it as a fresh `BitConfig`:
 * one entry for each dense and gru layer and no other, every width an integer in its range
 * (weights 2…8, biases 8…32, activations and pre-activations 2…16, tables 1…min(pre, 12)).
 * @throws InvalidOptionError naming the first bad entry.
 */
export function checkBitConfig(value: unknown, header: ModelHeader): BitConfig {
  const layers = quantizableLayers(header);
  const top = objectAt(value, 'the configuration', ['features', 'layers']);
  const entries = objectAt(top.layers, 'layers', layers.map((l) => l.name));
  const checked: BitConfig['layers'] = {};
  for (const layer of layers) {
    const path = `layers.${layer.name}`;
    checked[layer.name] = layer.op === 'gru' ? checkGru(entries[layer.name], path) : checkDense(entries[layer.name], path, layer);
  }
  return { features: widthAt(top.features, 'features', RANGES.activation), layers: checked };
}

/** One width a search may change: where it lies in a `BitConfig` and the values it may take. */
export interface Operator {
  /** Keys from the configuration's root: `['features']`, `['layers', 'gru1', 'ir']`, `['layers', 'gru1', 'pre', 'r']`. */
  path: readonly string[];
  values: readonly number[];
  /** The operator whose width this one may not exceed (a table's pre-activation). */
  atMost?: readonly string[];
}

const range = (low: number, high: number): number[] => Array.from({ length: high - low + 1 }, (_, i) => low + i);
/** What a search explores: weights 2…8, activations and pre-activations 8…16, tables 6…12 (≤ pre); biases stay as given. */
const SEARCH = { weight: range(2, 8), activation: range(8, 16), pre: range(8, 16), table: range(6, 12) } as const;

/** Every per-operator width of `header`'s integer model that a search can change, with its allowed values. */
export function operatorsOf(header: ModelHeader): Operator[] {
  const ops: Operator[] = [{ path: ['features'], values: SEARCH.activation }];
  const add = (path: string[], values: readonly number[], atMost?: string[]): void => {
    ops.push({ path, values, ...(atMost && { atMost }) });
  };
  for (const layer of quantizableLayers(header)) {
    const at = (...keys: string[]): string[] => ['layers', layer.name, ...keys];
    if (layer.op === 'gru') {
      for (const m of GRU_MATRICES) add(at(m), SEARCH.weight);
      for (const g of GATES) add(at('pre', g), SEARCH.pre);
      for (const g of GATES) add(at('table', g), SEARCH.table, at('pre', g));
      for (const a of [...GATES, 'h']) add(at(a), SEARCH.activation);
    } else {
      add(at('w'), SEARCH.weight);
      add(at('out'), SEARCH.activation);
      if (isTabled(layer)) {
        add(at('pre'), SEARCH.pre);
        add(at('table'), SEARCH.table, at('pre'));
      }
    }
  }
  return ops;
}

/** The object holding the width at `path` (every key but the last). */
function holder(config: BitConfig, path: readonly string[]): Json {
  return path.slice(0, -1).reduce((node: Json, key) => node[key] as Json, config as unknown as Json);
}

const readWidth = (config: BitConfig, path: readonly string[]): number => holder(config, path)[path[path.length - 1]] as number;

function writeWidth(config: BitConfig, path: readonly string[], value: number): void {
  holder(config, path)[path[path.length - 1]] = value;
}

/** The width at `op.path` in `config`. */
export function widthOf(config: BitConfig, op: Operator): number {
  return readWidth(config, op.path);
}

/**
 * A copy of `base` with `values[i]` at `operators[i].path`; a table wider than its pre-activation
 * is then narrowed to it (docs/integer.md: K ≤ P).
 */
export function withWidths(base: BitConfig, operators: readonly Operator[], values: readonly number[]): BitConfig {
  const config = structuredClone(base);
  operators.forEach((op, i) => writeWidth(config, op.path, values[i]));
  for (const { path, atMost } of operators) {
    if (atMost !== undefined) writeWidth(config, path, Math.min(readWidth(config, path), readWidth(config, atMost)));
  }
  return config;
}

/** Bytes of one weight matrix's packed codes and its f32 per-row scales. */
function matrixBytes(rows: number, cols: number, bits: number): number {
  return rows * packedBytes(cols, bits) + 4 * rows;
}

/**
 * The tensor bytes of the integer model that `bits` makes of `model` (the sum of its tensors'
 * `byteLength`s), computed without building it: packed weights with their f32 scales, plus the
 * biases, multipliers, shifts and tables in the dtypes their bit widths give (`narrowIntArrays`).
 */
export function modelSizeBytes(model: { header: ModelHeader }, bits: BitConfig): number {
  const bytes = (dtype: PlainIntDtype): number => PLAIN_INTS[dtype].bytes;
  const requant = bytes(MULTIPLIER_DTYPE) + bytes(SHIFT_DTYPE);
  let total = 0;
  for (const layer of quantizableLayers(model.header)) {
    if (layer.op === 'gru') {
      const b = bits.layers[layer.name] as GruBits;
      const h = layer.hidden;
      total += GRU_MATRICES.reduce((sum, m) => sum + matrixBytes(h, m.startsWith('i') ? layer.in : h, b[m]), 0);
      total += 6 * h * (bytes(biasDtype(b.bias)) + requant);
      total += GATES.reduce((sum, g) => sum + 2 ** b.table[g] * bytes(tableDtype(g === 'n' ? 'tanh' : 'sigmoid', b[g])), 0);
    } else {
      const b = bits.layers[layer.name] as DenseBits;
      const table = isTabled(layer) ? 2 ** b.table! * bytes(tableDtype(layer.activation as 'sigmoid' | 'tanh', b.out)) : 0;
      total += matrixBytes(layer.out, layer.in, b.w) + layer.out * (bytes(biasDtype(b.bias)) + requant) + table;
    }
  }
  return total;
}

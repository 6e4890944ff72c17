/**
 * Checks `dense-int` and `gru-int` layers (docs/integer.md, "Model file"): widths from the weight
 * dtypes (a sparse weight's `values`), the input boundary of a layer reading "features", bias ranges, the per-row int32
 * overflow check, multiplier and shift ranges, tables (2^K entries in the output range, K ≤ P).
 * What passes here cannot overflow or index out of range in the integer kernels.
 */
import { decodeCodes, decodeI32 } from './decode-tensor.js';
import { intBits, isPlainInt } from './encodings.js';
import { asObject, fail, getInt, getOneOf, getString, type JsonObject } from './fields.js';
import type {
  Activation, DenseIntLayer, DenseIntQuant, GateTriple, GruIntLayer, GruIntWeights, IntInputQuant, TensorSpec,
} from './types.js';

/** Width and scale of the codes an integer layer produces (what its consumers read). */
export interface IntCodes {
  bits: number;
  scale: number;
}

/** What an integer layer reads: the float features (it quantizes them itself) or another integer layer's codes. */
export type IntInput = 'features' | IntCodes;

const INT32_MAX = 2 ** 31 - 1;
const GATES = ['r', 'z', 'n'] as const;
const WEIGHTS = ['ir', 'iz', 'in', 'hr', 'hz', 'hn'] as const;
const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'sigmoid', 'tanh'];

/** Largest code of a symmetric `bits`-bit quantity, 2^(bits−1) − 1. */
export const codeMax = (bits: number): number => 2 ** (bits - 1) - 1;

/** The fixed output scale 2^−(bits−1) of sigmoid/tanh outputs and GRU states. */
export const pow2Scale = (bits: number): number => 2 ** -(bits - 1);

/** The tensors a layer's fields name, with the data section to read integer contents from. */
interface Tensors {
  specs: Map<string, TensorSpec>;
  data: Uint8Array;
}

function positive(obj: JsonObject, key: string, at: string): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(`${at}.${key}`, 'a finite number > 0', value);
  return value;
}

function nullField(obj: JsonObject, key: string, at: string, why: string): null {
  if (obj[key] !== null) fail(`${at}.${key}`, `null (${why})`, obj[key]);
  return null;
}

function named(t: Tensors, name: string, path: string, shape: number[]): TensorSpec {
  const spec = t.specs.get(name);
  if (spec === undefined) fail(path, 'the name of a tensor in the tensor table', name);
  if (spec.shape.length !== shape.length || spec.shape.some((d, i) => d !== shape[i])) {
    fail(path, `tensor "${name}" of shape [${shape}]; it has shape [${spec.shape}]`);
  }
  return spec;
}

/** An integer array (i32, i16, i8 or u8) of `shape` named by `obj[key]`; returns its name and values widened to i32. */
function i32Tensor(t: Tensors, obj: JsonObject, key: string, at: string, shape: number[]): { name: string; values: Int32Array } {
  const name = getString(obj, key, at);
  const spec = named(t, name, `${at}.${key}`, shape);
  if (!isPlainInt(spec.dtype)) fail(`${at}.${key}`, `an integer array (i32, i16, i8 or u8); "${name}" is ${spec.dtype}`);
  return { name, values: decodeI32(spec, t.data) };
}

/**
 * An integer weight `[rows, cols]` without zero point: packed int2…int8, or csr / block-sparse with
 * int2…int8 values (docs/sparsity.md). Returns its name and codes, 0 where a sparse tensor stores
 * nothing, so the overflow check sums over the stored elements.
 */
function weightTensor(t: Tensors, obj: JsonObject, key: string, at: string, shape: number[]): { name: string; codes: Int8Array } {
  const name = getString(obj, key, at);
  const spec = named(t, name, `${at}.${key}`, shape);
  if (intBits(spec.dtype) === undefined && intBits(spec.values) === undefined) {
    fail(`${at}.${key}`, `an int2…int8 tensor, or csr / block-sparse of int2…int8 values; "${name}" is ${spec.dtype}` +
      (spec.values === undefined ? '' : ` of ${spec.values}`));
  }
  if (spec.zeroPoint !== undefined) fail(`${at}.${key}`, `symmetric codes; "${name}" has a zero point`);
  return { name, codes: decodeCodes(spec, t.data) };
}

function checkAll(values: Int32Array, path: string, expected: string, ok: (v: number) => boolean): void {
  const i = values.findIndex((v) => !ok(v));
  if (i >= 0) fail(path, `${expected} in every entry; entry ${i} is ${values[i]}`);
}

/** The exact overflow check: Σ_j |W[r,j]| · xmax + |b[r]| ≤ 2^31 − 1 for every row. */
function checkOverflow(codes: Int8Array, bias: Int32Array, biasOffset: number, rows: number, cols: number,
  inBits: number, path: string): void {
  const xmax = codeMax(inBits);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.abs(codes[r * cols + j]);
    const worst = sum * xmax + Math.abs(bias[biasOffset + r]);
    if (worst > INT32_MAX) {
      fail(path, `rows whose int32 accumulator cannot overflow at ${inBits}-bit inputs (docs/integer.md); ` +
        `row ${r} can reach ${worst}`);
    }
  }
}

function checkRequant(t: Tensors, obj: JsonObject, at: string, shape: number[]): { multiplier: string; shift: string } {
  const multiplier = i32Tensor(t, obj, 'multiplier', at, shape);
  checkAll(multiplier.values, `${at}.multiplier`, 'a Q31 multiplier ≥ 0', (v) => v >= 0);
  const shift = i32Tensor(t, obj, 'shift', at, shape);
  checkAll(shift.values, `${at}.shift`, 'a shift from 1 to 62', (v) => v >= 1 && v <= 62);
  return { multiplier: multiplier.name, shift: shift.name };
}

/** A sigmoid/tanh table of 2^K entries in the output range of `outBits` bits. */
function checkTable(t: Tensors, obj: JsonObject, key: string, at: string, fn: 'sigmoid' | 'tanh', tableBits: number,
  outBits: number): string {
  const table = i32Tensor(t, obj, key, at, [2 ** tableBits]);
  const top = codeMax(outBits);
  const low = fn === 'sigmoid' ? 0 : -top;
  checkAll(table.values, `${at}.${key}`, `a ${fn} code of ${outBits} bits (${low}…${top})`, (v) => v >= low && v <= top);
  return table.name;
}

const getBits = (obj: JsonObject, key: string, at: string): number => getInt(obj, key, at, 2, 16);

/** K: 1 ≤ K ≤ min(P, 12). */
const getTableBits = (obj: JsonObject, key: string, at: string, preBits: number): number =>
  getInt(obj, key, at, 1, Math.min(preBits, 12));

/** The input boundary fields: present (and consistent) exactly when the layer reads "features". */
function inputQuant(quant: JsonObject, at: string, input: IntInput): Partial<IntInputQuant> & { codes: IntCodes } {
  if (input !== 'features') {
    for (const key of ['inputBits', 'inputScale', 'invInputScale']) {
      if (quant[key] !== undefined) fail(`${at}.${key}`, 'no value: only a layer reading "features" quantizes its input', quant[key]);
    }
    return { codes: input };
  }
  const inputBits = getBits(quant, 'inputBits', at);
  const inputScale = positive(quant, 'inputScale', at);
  if (Math.fround(inputScale) !== inputScale) fail(`${at}.inputScale`, 'an f32 value', inputScale);
  const invInputScale = quant.invInputScale;
  if (invInputScale !== Math.fround(1 / inputScale)) {
    fail(`${at}.invInputScale`, `f32(1 / inputScale) = ${Math.fround(1 / inputScale)}`, invInputScale);
  }
  return { inputBits, inputScale, invInputScale, codes: { bits: inputBits, scale: inputScale } };
}

/** Validates a `dense-int` layer reading `input` (`inSize` values). */
export function checkDenseInt(obj: JsonObject, at: string, name: string, input: string, source: IntInput,
  inSize: number, out: number, t: Tensors): DenseIntLayer {
  const activation = getOneOf(obj, 'activation', at, ACTIVATIONS);
  const q = asObject(obj.quant, `${at}.quant`);
  const qAt = `${at}.quant`;
  const { codes: inCodes, ...boundary } = inputQuant(q, qAt, source);
  const biasBits = getInt(q, 'biasBits', qAt, 8, 32);
  const outputBits = getBits(q, 'outputBits', qAt);
  const weight = weightTensor(t, obj, 'weight', at, [out, inSize]);
  const bias = i32Tensor(t, obj, 'bias', at, [out]);
  checkAll(bias.values, `${at}.bias`, `a ${biasBits}-bit code`, (v) => Math.abs(v) <= codeMax(biasBits));
  checkOverflow(weight.codes, bias.values, 0, out, inSize, inCodes.bits, `${at}.weight`);
  const requant = checkRequant(t, obj, at, [out]);
  let quant: DenseIntQuant;
  let table: string | null = null;
  if (activation === 'sigmoid' || activation === 'tanh') {
    const preBits = getBits(q, 'preBits', qAt);
    const tableBits = getTableBits(q, 'tableBits', qAt, preBits);
    const outputScale = q.outputScale;
    if (outputScale !== pow2Scale(outputBits)) fail(`${qAt}.outputScale`, `2^−(outputBits−1) = ${pow2Scale(outputBits)} for ${activation}`, outputScale);
    table = checkTable(t, obj, 'table', at, activation, tableBits, outputBits);
    quant = { ...boundary, biasBits, preBits, preScale: positive(q, 'preScale', qAt), tableBits, outputBits, outputScale };
  } else {
    const why = `activation "${activation}" has no table`;
    nullField(obj, 'table', at, why);
    quant = { ...boundary, biasBits, preBits: nullField(q, 'preBits', qAt, why), preScale: nullField(q, 'preScale', qAt, why),
      tableBits: nullField(q, 'tableBits', qAt, why), outputBits, outputScale: positive(q, 'outputScale', qAt) };
  }
  return { name, op: 'dense-int', input, in: inSize, out, activation, weight: weight.name, bias: bias.name,
    ...requant, table, quant };
}

function triple(obj: JsonObject, key: string, at: string, get: (o: JsonObject, k: string, path: string) => number): GateTriple {
  const o = asObject(obj[key], `${at}.${key}`);
  const [r, z, n] = GATES.map((g) => get(o, g, `${at}.${key}`));
  return { r, z, n };
}

/** Validates a `gru-int` layer reading `input` (`inSize` values). */
export function checkGruInt(obj: JsonObject, at: string, name: string, input: string, source: IntInput,
  inSize: number, hidden: number, t: Tensors): GruIntLayer {
  const q = asObject(obj.quant, `${at}.quant`);
  const qAt = `${at}.quant`;
  const { codes: inCodes, ...boundary } = inputQuant(q, qAt, source);
  const biasBits = getInt(q, 'biasBits', qAt, 8, 32);
  const preBits = triple(q, 'preBits', qAt, getBits);
  const preScale = triple(q, 'preScale', qAt, positive);
  const tableBitsObj = asObject(q.tableBits, `${qAt}.tableBits`);
  const [r, z, n] = GATES.map((g) => getTableBits(tableBitsObj, g, `${qAt}.tableBits`, preBits[g]));
  const tableBits = { r, z, n };
  const bitsObj = asObject(q.bits, `${qAt}.bits`);
  const bits = { ...triple(q, 'bits', qAt, getBits), h: getBits(bitsObj, 'h', `${qAt}.bits`) };
  const biasIh = i32Tensor(t, obj, 'biasIh', at, [3 * hidden]);
  const biasHh = i32Tensor(t, obj, 'biasHh', at, [3 * hidden]);
  for (const [key, b] of [['biasIh', biasIh], ['biasHh', biasHh]] as const) {
    checkAll(b.values, `${at}.${key}`, `a ${biasBits}-bit code`, (v) => Math.abs(v) <= codeMax(biasBits));
  }
  const w = asObject(obj.weights, `${at}.weights`);
  const weights = {} as GruIntWeights;
  WEIGHTS.forEach((g, k) => {
    const fromInput = k < 3;
    const cols = fromInput ? inSize : hidden;
    const tensor = weightTensor(t, w, g, `${at}.weights`, [hidden, cols]);
    checkOverflow(tensor.codes, fromInput ? biasIh.values : biasHh.values, (k % 3) * hidden, hidden, cols,
      fromInput ? inCodes.bits : bits.h, `${at}.weights.${g}`);
    weights[g] = tensor.name;
  });
  const requant = checkRequant(t, obj, at, [6, hidden]);
  const tablesObj = asObject(obj.tables, `${at}.tables`);
  const tables = {
    r: checkTable(t, tablesObj, 'r', `${at}.tables`, 'sigmoid', tableBits.r, bits.r),
    z: checkTable(t, tablesObj, 'z', `${at}.tables`, 'sigmoid', tableBits.z, bits.z),
    n: checkTable(t, tablesObj, 'n', `${at}.tables`, 'tanh', tableBits.n, bits.n),
  };
  return { name, op: 'gru-int', input, in: inSize, hidden, weights, biasIh: biasIh.name, biasHh: biasHh.name,
    ...requant, tables, quant: { ...boundary, biasBits, preBits, preScale, tableBits, bits } };
}

/** The codes a validated integer layer produces. */
export function intOutput(layer: DenseIntLayer | GruIntLayer): IntCodes {
  return layer.op === 'gru-int' ? { bits: layer.quant.bits.h, scale: pow2Scale(layer.quant.bits.h) }
    : { bits: layer.quant.outputBits, scale: layer.quant.outputScale };
}

/**
 * Runs `requantize` and `intGruGates` of one WASM build (argv[2]: 'simd' or 'relaxed-simd') on
 * adversarial inputs, once with the lane form of src/engine/lane-requant.ts (four rows per SIMD step)
 * and once row by row, and prints, as JSON, per case how many outputs of each differ from
 * docs/integer.md's definitions computed here in BigInt. A child process of
 * tests/requant-lanes.test.ts (the relaxed build needs a V8 flag on Node 20):
 *   node [--experimental-wasm-relaxed-simd] --import ./tests/fuzz/register-ts.mjs tests/requant-lanes-run.ts simd
 */
import { laneRequant } from '../src/engine/lane-requant.js';
import { createCore, type CoreBuild } from '../src/wasm/core.js';

const core = createCore(process.argv[2] as CoreBuild);
const kernels = core.exports as unknown as {
  requantize(out: number, acc: number, rows: number, params: number): void;
  intGruGates(h: number, hidden: number, params: number): void;
};

// docs/integer.md in BigInt: the definitions the kernels must equal.
const rshift = (v: bigint, k: number): bigint => (k > 0 ? (v + (1n << BigInt(k - 1))) >> BigInt(k) : v);
const rq = (acc: number, m: number, s: number): bigint => rshift(BigInt(acc) * BigInt(m), s);
const top = (bits: number): bigint => (1n << BigInt(bits - 1)) - 1n;
const sat = (v: bigint, bits: number): bigint => (v > top(bits) ? top(bits) : v < -top(bits) ? -top(bits) : v);
const lookup = (table: Int32Array, p: bigint, preBits: number, tableBits: number): bigint =>
  BigInt(table[Number((p + (1n << BigInt(preBits - 1))) >> BigInt(preBits - tableBits))]);
const align = (v: bigint, from: number, to: number): bigint => (to >= from ? v << BigInt(to - from) : rshift(v, from - to));

/** mulberry32: a seeded generator, so a failure reproduces. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const random = generator(15);
const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(values: T[]): T => values[int(0, values.length - 1)];

/** Multipliers: Q31 extremes, powers of two (for exact ties), random, and m = 0 with s = 1. */
function multipliers(rows: number): Int32Array {
  return Int32Array.from({ length: rows }, () => pick([0, 2 ** 31 - 1, 2 ** 30, 3 * 2 ** 29, int(2 ** 30, 2 ** 31 - 1), int(1, 2 ** 31 - 1)]));
}

/** Shifts in [low, low + spread], the first two rows at both ends; 1 where m = 0 (the exporter's zero term). */
function shifts(m: Int32Array, low: number, spread: number): Int32Array {
  const s = Int32Array.from(m, () => int(low, low + spread));
  s[0] = low;
  if (s.length > 1) s[1] = low + spread;
  return s.map((v, r) => (m[r] === 0 ? 1 : v));
}

/**
 * An accumulator for multiplier m, shift s: the int32 extremes, an exact tie (acc·m an odd multiple
 * of 2^(s−1), where m's power of two allows one) or a neighbour of it, or log-uniform magnitudes.
 */
function accumulator(m: number, s: number): number {
  const kind = int(0, 3);
  if (kind === 0) return pick([2 ** 31 - 1, -(2 ** 31), -(2 ** 31 - 1), 0, 1, -1]);
  const twos = m === 0 ? 0 : Math.log2(m & -m);
  const k = s - 1 - twos;
  if (kind === 1 && k >= 0 && k <= 30) {
    const odd = 2 * int(-(2 ** (30 - k)), 2 ** (30 - k) - 1) + 1;
    return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, odd * 2 ** k + pick([0, 0, 1, -1])));
  }
  return pick([1, -1]) * Math.floor(2 ** (random() * 31));
}

function table(bits: number, signed: boolean, tableBits: number): Int32Array {
  const t = Number(top(bits));
  return Int32Array.from({ length: 2 ** tableBits }, () => int(signed ? -t : 0, t));
}

const alloc = (words: number): number => core.allocU8(Math.max(1, words) * 4);
function place(values: ArrayLike<number>): number {
  const ptr = alloc(values.length);
  core.writeI32(ptr, values);
  return ptr;
}
const i16 = (ptr: number, n: number): Int16Array => new Int16Array(core.exports.memory.buffer, ptr, n).slice();

/** The lane fields of a record for (m, s), required to exist. */
function laneFields(m: Int32Array, s: Int32Array): number[] {
  const form = laneRequant(m, s);
  if (form === null) throw new Error(`no lane form for shifts ${Math.min(...s)}…${Math.max(...s)}`);
  return [place(form.pow), form.shift, form.spread];
}

const differ = (got: Int16Array, want: bigint[]): number => want.reduce((n, v, i) => n + (BigInt(got[i]) !== v ? 1 : 0), 0);
const ACT = { none: 0, relu: 1, sigmoid: 2, tanh: 3 } as const;
/** Shift ranges [S_min, S_min + spread] with the widest spread the lane form allows, and narrower ones. */
const RANGES: [number, number][] = [[33, 0], [34, 1], [38, 2], [40, 7], [47, 14], [48, 14], [62, 0]];

const results: Record<string, { lanes: number; rows: number; outputs: number; ties: number }> = {};
let ties = 0;
const countTies = (acc: number, m: number, s: number): void => {
  if (m !== 0 && (BigInt(acc) * BigInt(m)) % (1n << BigInt(s)) === (acc < 0 ? -1n : 1n) * (1n << BigInt(s - 1))) ties++;
};

for (const [low, spread] of RANGES) {
  for (const rows of [1, 3, 4, 7, 13, 161]) {
    for (const act of ['none', 'relu', 'sigmoid', 'tanh'] as const) {
      const outBits = pick([2, 8, 16]);
      const preBits = pick([2, 9, 16]);
      const tableBits = Math.min(preBits, 12) - int(0, 1);
      const tabled = act === 'sigmoid' || act === 'tanh';
      const m = multipliers(rows);
      const s = shifts(m, low, spread);
      const tab = table(outBits, act === 'tanh', tableBits);
      ties = 0;
      const acc = Int32Array.from(m, (mr, r) => accumulator(mr, s[r]));
      acc.forEach((a, r) => countTies(a, m[r], s[r]));
      const want = [...acc].map((a, r) => {
        const y = sat(rq(a, m[r], s[r]), tabled ? preBits : outBits);
        return tabled ? lookup(tab, y, preBits, tableBits) : act === 'relu' && y < 0n ? 0n : y;
      });
      const head = [place(m), place(s), ACT[act], outBits, preBits, tableBits, place(tab), alloc(rows)];
      const got = (lanes: number[]): Int16Array => {
        const out = alloc(rows);
        kernels.requantize(out, place(acc), rows, place([...head, ...lanes]));
        return i16(out, rows);
      };
      results[`requantize s ${low}…${low + spread}, ${rows} rows, ${act}`] = {
        lanes: differ(got(laneFields(m, s)), want), rows: differ(got([0, 0, 0]), want), outputs: rows, ties,
      };
    }
  }
}

/** Bit widths of a GRU: pre-activations P (r, z, n), table bits K, outputs r, z, n, h. */
const GRU_BITS = [
  { pre: [16, 16, 16], table: [12, 12, 12], bits: [16, 16, 16, 16] },
  { pre: [8, 12, 16], table: [6, 8, 12], bits: [8, 16, 12, 16] },
  { pre: [16, 4, 9], table: [10, 4, 9], bits: [16, 2, 16, 8] },
  { pre: [2, 2, 2], table: [2, 1, 2], bits: [2, 2, 2, 2] },
];

for (const [low, spread] of RANGES) {
  for (const hidden of [1, 3, 4, 5, 13, 21]) {
    GRU_BITS.forEach(({ pre, table: tableBits, bits }, config) => {
      const [bitsR, bitsZ, bitsN, bitsH] = bits;
      const m = multipliers(6 * hidden);
      const s = shifts(m, low, spread);
      const tables = [table(bitsR, false, tableBits[0]), table(bitsZ, false, tableBits[1]), table(bitsN, true, tableBits[2])];
      ties = 0;
      const acc = Int32Array.from(m, (mr, r) => accumulator(mr, s[r]));
      acc.forEach((a, r) => countTies(a, m[r], s[r]));
      const h0 = Int16Array.from({ length: hidden }, () => int(-Number(top(bitsH)), Number(top(bitsH))));
      const term = (gate: number, j: number): bigint => rq(acc[gate * hidden + j], m[gate * hidden + j], s[gate * hidden + j]);
      const want = [...h0].map((h, j) => {
        const r = lookup(tables[0], sat(term(0, j) + term(3, j), pre[0]), pre[0], tableBits[0]);
        const z = lookup(tables[1], sat(term(1, j) + term(4, j), pre[1]), pre[1], tableBits[1]);
        const g = sat(term(5, j), pre[2]);
        const nPre = sat(term(2, j) + rshift(r * g, bitsR - 1), pre[2]);
        const n = align(lookup(tables[2], nPre, pre[2], tableBits[2]), bitsN, bitsH);
        return sat(n + rshift(z * (BigInt(h) - n), bitsZ - 1), bitsH);
      });
      const got = (lanes: number[]): Int16Array => {
        const h = alloc(hidden);
        new Int16Array(core.exports.memory.buffer, h, hidden).set(h0);
        const params = place([place(m), place(s), ...tables.map(place), ...pre, ...tableBits, ...bits, place(acc), ...lanes]);
        kernels.intGruGates(h, hidden, params);
        return i16(h, hidden);
      };
      results[`gru s ${low}…${low + spread}, hidden ${hidden}, bits ${config}`] = {
        lanes: differ(got(laneFields(m, s)), want), rows: differ(got([0, 0, 0]), want), outputs: hidden, ties,
      };
    });
  }
}
console.log(JSON.stringify(results));

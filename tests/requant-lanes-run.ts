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

/**
 * The lane fields of a record for (m, s) with `units` rows per gate (a lane form required to exist
 * where there is a group of four), with the inputs each path must not read poisoned: the shifts of
 * rows in lane-form runs (a kernel that ran them row by row would be wrong) and the powers of rows
 * run row by row (0). Also how many groups of four units have the lane form and how many run row by
 * row, and how many runs there are.
 */
function laneInputs(m: Int32Array, s: Int32Array, units: number): { lanes: number[]; shifts: Int32Array; laneGroups: number; rowGroups: number; runs: number } {
  const form = laneRequant(m, s, units);
  if (form === null && units >= 4) throw new Error(`no lane form for shifts ${Math.min(...s)}…${Math.max(...s)}`);
  if (form === null) return { lanes: [0, 0], shifts: s, laneGroups: 0, rowGroups: 0, runs: 0 };
  const step = 1 + 2 * (m.length / units); // a run's i32: end unit, then laneShift and laneSpread per gate
  const lanesAt = new Array<boolean>(units).fill(false); // per unit: in a lane-form run
  for (let i = 0, j = 0; i < form.runs.length; j = form.runs[i], i += step) lanesAt.fill(form.runs[i + 1] >= 0, j, form.runs[i]);
  const pow = form.pow.map((p, r) => (lanesAt[r % units] ? p : 0));
  const shifts = s.map((v, r) => (lanesAt[r % units] ? 64 - v : v));
  const laneGroups = lanesAt.filter((x, j) => x && j % 4 === 0).length;
  return { lanes: [place(pow), place(form.runs)], shifts, laneGroups, rowGroups: Math.floor(units / 4) - laneGroups, runs: form.runs.length / step };
}

const differ = (got: Int16Array, want: bigint[]): number => want.reduce((n, v, i) => n + (BigInt(got[i]) !== v ? 1 : 0), 0);
const ACT = { none: 0, relu: 1, sigmoid: 2, tanh: 3 } as const;
type Act = keyof typeof ACT;
/** Shift ranges [S_min, S_min + spread] with the widest spread the lane form allows, and narrower ones. */
const RANGES: [number, number][] = [[33, 0], [34, 1], [38, 2], [40, 7], [47, 14], [48, 14], [62, 0]];

const results: Record<string, { lanes: number; rows: number; outputs: number; ties: number; laneGroups: number; rowGroups: number; runs: number }> = {};
let ties = 0;
const countTies = (acc: number, m: number, s: number): void => {
  if (m !== 0 && (BigInt(acc) * BigInt(m)) % (1n << BigInt(s)) === (acc < 0 ? -1n : 1n) * (1n << BigInt(s - 1))) ties++;
};

/** One requantize case: both paths on accumulators drawn for (m, s), against the BigInt definitions. */
function requantizeCase(name: string, m: Int32Array, s: Int32Array, act: Act): void {
  const rows = m.length;
  const outBits = pick([2, 8, 16]);
  const preBits = pick([2, 9, 16]);
  const tableBits = Math.min(preBits, 12) - int(0, 1);
  const tabled = act === 'sigmoid' || act === 'tanh';
  const tab = table(outBits, act === 'tanh', tableBits);
  ties = 0;
  const acc = Int32Array.from(m, (mr, r) => accumulator(mr, s[r]));
  acc.forEach((a, r) => countTies(a, m[r], s[r]));
  const want = [...acc].map((a, r) => {
    const y = sat(rq(a, m[r], s[r]), tabled ? preBits : outBits);
    return tabled ? lookup(tab, y, preBits, tableBits) : act === 'relu' && y < 0n ? 0n : y;
  });
  const got = (shifts: Int32Array, lanes: number[]): Int16Array => {
    const out = alloc(rows);
    const params = [place(m), place(shifts), ACT[act], outBits, preBits, tableBits, place(tab), alloc(rows), ...lanes];
    kernels.requantize(out, place(acc), rows, place(params));
    return i16(out, rows);
  };
  const { lanes, shifts, ...groups } = laneInputs(m, s, rows);
  results[name] = { lanes: differ(got(shifts, lanes), want), rows: differ(got(s, [0, 0]), want), outputs: rows, ties, ...groups };
}

/** Bit widths of a GRU: pre-activations P (r, z, n), table bits K, outputs r, z, n, h. */
const GRU_BITS = [
  { pre: [16, 16, 16], table: [12, 12, 12], bits: [16, 16, 16, 16] },
  { pre: [8, 12, 16], table: [6, 8, 12], bits: [8, 16, 12, 16] },
  { pre: [16, 4, 9], table: [10, 4, 9], bits: [16, 2, 16, 8] },
  { pre: [2, 2, 2], table: [2, 1, 2], bits: [2, 2, 2, 2] },
];

/** One intGruGates case (six gates of `hidden` rows in m, s; bit widths GRU_BITS[config]), as requantizeCase. */
function gruCase(name: string, m: Int32Array, s: Int32Array, hidden: number, config: number): void {
  const { pre, table: tableBits, bits } = GRU_BITS[config];
  const [bitsR, bitsZ, bitsN, bitsH] = bits;
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
  const got = (shifts: Int32Array, lanes: number[]): Int16Array => {
    const h = alloc(hidden);
    new Int16Array(core.exports.memory.buffer, h, hidden).set(h0);
    const params = place([place(m), place(shifts), ...tables.map(place), ...pre, ...tableBits, ...bits, place(acc), ...lanes]);
    kernels.intGruGates(h, hidden, params);
    return i16(h, hidden);
  };
  const { lanes, shifts, ...groups } = laneInputs(m, s, hidden);
  results[name] = { lanes: differ(got(shifts, lanes), want), rows: differ(got(s, [0, 0]), want), outputs: hidden, ties, ...groups };
}

// Whole tensors in one shift range: every group has the lane form.
for (const [low, spread] of RANGES) {
  for (const rows of [1, 3, 4, 7, 13, 161]) {
    for (const act of Object.keys(ACT) as Act[]) {
      const m = multipliers(rows);
      requantizeCase(`requantize s ${low}…${low + spread}, ${rows} rows, ${act}`, m, shifts(m, low, spread), act);
    }
  }
  for (const hidden of [1, 3, 4, 5, 13, 21]) {
    for (let config = 0; config < GRU_BITS.length; config++) {
      const m = multipliers(6 * hidden);
      gruCase(`gru s ${low}…${low + spread}, hidden ${hidden}, bits ${config}`, m, shifts(m, low, spread), hidden, config);
    }
  }
}

/**
 * A group's kind of shifts: exact (a lane form, each group its own range), low (a shift below 33),
 * wide (spread over S_min − 33), zero (every m = 0).
 */
type Kind = 'exact' | 'low' | 'wide' | 'zero';
function range(kind: Kind): [number, number] {
  if (kind === 'low') {
    const low = int(1, 32);
    return [low, int(0, 62 - low)];
  }
  if (kind === 'wide') {
    const low = int(33, 47);
    return [low, int(low - 32, 62 - low)];
  }
  const low = int(33, 62);
  return [low, int(0, Math.min(low - 33, 62 - low))];
}

/**
 * Multipliers and shifts of `gates` gates of `units` rows, group by group (four rows of a gate; a
 * gate's last units % 4 rows a group too), each in a range of its own kind: in every gate group 0
 * exact and group 1 exact but in one gate low or wide (so its four units run row by row), the others
 * of any kind. A group's shifts reach both ends of its range on rows with m ≠ 0; then s = 1 where m = 0.
 */
function groupedTensor(gates: number, units: number): { m: Int32Array; s: Int32Array } {
  const m = multipliers(gates * units);
  const s = new Int32Array(gates * units);
  const outlier = int(0, gates - 1);
  for (let gate = 0; gate < gates; gate++) {
    for (let j = 0; j < units; j += 4) {
      const kind: Kind = j === 0 ? 'exact' : j === 4 ? (gate === outlier ? pick<Kind>(['low', 'wide']) : 'exact')
        : pick<Kind>(['exact', 'exact', 'low', 'wide', 'zero']);
      const [low, spread] = range(kind);
      const rows = Array.from({ length: Math.min(4, units - j) }, (_, i) => gate * units + j + i);
      for (const r of rows) s[r] = int(low, low + spread);
      const [first, last] = [rows[0], rows[rows.length - 1]];
      [s[first], s[last]] = [low, low + spread];
      if (kind === 'zero') for (const r of rows) m[r] = 0;
      else for (const r of [first, last]) m[r] ||= 2 ** 30;
    }
  }
  return { m, s: s.map((v, r) => (m[r] === 0 ? 1 : v)) };
}

// Tensors whose groups differ: some without a lane form, ranges per group, partial last groups.
for (const rows of [8, 13, 22, 41, 161]) {
  for (const act of Object.keys(ACT) as Act[]) {
    for (let k = 0; k < 3; k++) {
      const { m, s } = groupedTensor(1, rows);
      requantizeCase(`mixed requantize ${rows} rows, ${act}, ${k}`, m, s, act);
    }
  }
}
for (const hidden of [8, 11, 21, 42]) {
  for (let config = 0; config < GRU_BITS.length; config++) {
    for (let k = 0; k < 3; k++) {
      const { m, s } = groupedTensor(6, hidden);
      gruCase(`mixed gru hidden ${hidden}, bits ${config}, ${k}`, m, s, hidden, config);
    }
  }
}
console.log(JSON.stringify(results));

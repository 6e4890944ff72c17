/**
 * Seeded mutators: from one valid input and one seed, always the same mutated input, so any case
 * reproduces from its seed alone. Each case applies one to three mutations: bit flips, truncation,
 * byte edits, insertions, deletions, copies within the file, and edge values (0, 2^31, 2^32 − 1, …)
 * written into the header fields the target names.
 */

/** Uniform in [0, 1), from a 32-bit seed (mulberry32). */
export type Rng = () => number;

export function rngFrom(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The seed of case `index` of a run started from `runSeed`: independent of every other case. */
export function caseSeed(runSeed: number, index: number): number {
  let h = Math.imul(runSeed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

const int = (rng: Rng, below: number) => Math.floor(rng() * below);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)];

/** A header field worth setting to edge values: byte offset and width. */
export interface Field { offset: number; size: 1 | 2 | 4 | 8 }

const EDGE_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
const EDGE_VALUES: Readonly<Record<Field['size'], readonly bigint[]>> = {
  1: [0n, 1n, 0x7fn, 0x80n, 0xffn],
  2: [0n, 1n, 2n, 0x7fffn, 0x8000n, 0xfffen, 0xffffn],
  4: [0n, 1n, 2n, 3n, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0x80000001n, 0xfffffffen, 0xffffffffn],
  8: [0n, 1n, 0x7fffffffn, 0xffffffffn, 0x100000000n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n],
};

function writeLittleEndian(bytes: Uint8Array, { offset, size }: Field, value: bigint): void {
  for (let i = 0; i < size && offset + i < bytes.length; i++) bytes[offset + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

function readLittleEndian(bytes: Uint8Array, { offset, size }: Field): bigint {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i] ?? 0);
  return value;
}

/** One mutation: returns the mutated copy and a short description for the failure report. */
type Mutator = (bytes: Uint8Array, rng: Rng, fieldsOf: (bytes: Uint8Array) => readonly Field[]) =>
  { bytes: Uint8Array; step: string };

const MUTATORS: readonly Mutator[] = [
  function flipBits(bytes, rng) {
    const out = bytes.slice();
    const flips = 1 + int(rng, 8);
    for (let i = 0; i < flips && out.length > 0; i++) out[int(rng, out.length)] ^= 1 << int(rng, 8);
    return { bytes: out, step: `flip ${flips} bit(s)` };
  },
  function truncate(bytes, rng) {
    const length = int(rng, bytes.length);
    return { bytes: bytes.slice(0, length), step: `truncate to ${length}` };
  },
  function setBytes(bytes, rng) {
    const out = bytes.slice();
    const count = 1 + int(rng, 4);
    for (let i = 0; i < count && out.length > 0; i++) out[int(rng, out.length)] = rng() < 0.5 ? pick(rng, EDGE_BYTES) : int(rng, 256);
    return { bytes: out, step: `set ${count} byte(s)` };
  },
  function insertBytes(bytes, rng) {
    const at = int(rng, bytes.length + 1);
    const count = 1 + int(rng, 64);
    const inserted = Uint8Array.from({ length: count }, () => (rng() < 0.5 ? 0 : int(rng, 256)));
    const out = new Uint8Array(bytes.length + count);
    out.set(bytes.subarray(0, at));
    out.set(inserted, at);
    out.set(bytes.subarray(at), at + count);
    return { bytes: out, step: `insert ${count} at ${at}` };
  },
  function deleteBytes(bytes, rng) {
    if (bytes.length === 0) return { bytes, step: 'delete nothing' };
    const at = int(rng, bytes.length);
    const count = 1 + int(rng, Math.min(64, bytes.length - at));
    const out = new Uint8Array(bytes.length - count);
    out.set(bytes.subarray(0, at));
    out.set(bytes.subarray(at + count), at);
    return { bytes: out, step: `delete ${count} at ${at}` };
  },
  function copyWithin(bytes, rng) {
    if (bytes.length < 2) return { bytes, step: 'copy nothing' };
    const from = int(rng, bytes.length);
    const to = int(rng, bytes.length);
    const count = 1 + int(rng, Math.min(256, bytes.length - Math.max(from, to)));
    const out = bytes.slice();
    out.copyWithin(to, from, from + count);
    return { bytes: out, step: `copy ${count} from ${from} to ${to}` };
  },
  function setField(bytes, rng, fieldsOf) {
    const fields = fieldsOf(bytes);
    const field = fields.length > 0 && rng() < 0.9 ? pick(rng, fields)
      : { offset: 4 * int(rng, Math.max(1, bytes.length >> 2)), size: pick(rng, [1, 2, 4, 8] as const) };
    const out = bytes.slice();
    const old = readLittleEndian(out, field);
    const max = (1n << BigInt(8 * field.size)) - 1n;
    const value = rng() < 0.7 ? pick(rng, EDGE_VALUES[field.size])
      : (old + BigInt(int(rng, 9) - 4) + max + 1n) & max; // a near miss: off by up to ±4
    writeLittleEndian(out, field, value);
    return { bytes: out, step: `field @${field.offset}/${field.size} = ${value}` };
  },
];

/**
 * One to three mutations of `input` chosen by `rng`; `fieldsOf` gives the header fields of the
 * bytes at hand (asked again at each step, since earlier steps move offsets).
 */
export function mutate(input: Uint8Array, rng: Rng, fieldsOf: (bytes: Uint8Array) => readonly Field[]):
  { bytes: Uint8Array; steps: string[] } {
  let bytes = input;
  const steps: string[] = [];
  for (let i = 1 + int(rng, 3); i > 0; i--) {
    const result = pick(rng, MUTATORS)(bytes, rng, fieldsOf);
    bytes = result.bytes;
    steps.push(result.step);
  }
  return { bytes, steps };
}

/**
 * Compact integer encodings (format version 2, docs/model-format.md): plain i16 / i8 / u8 arrays for
 * the biases, multipliers, shifts and tables of integer layers, widened to i32 at load, so that a
 * re-encoded golden integer model computes exactly the golden masks; the version rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../src/engine/engine.js';
import { smallestPlainInt } from '../src/model/encodings.js';
import type { TensorData } from '../src/model/encode-tensor.js';
import { intBits, isPlainInt } from '../src/model/encodings.js';
import { narrowIntArrays } from '../src/model/narrow-ints.js';
import { readModel } from '../src/model/read.js';
import type { IntDtype, Model } from '../src/model/types.js';
import { assembleFile, writeModel } from '../src/model/write.js';
import { createCore } from '../src/wasm/core.js';
import { rejects } from './model-errors.js';

const GOLDEN = join(process.cwd(), 'tests', 'fixtures', 'golden');
const golden = readModel(new Uint8Array(readFileSync(join(GOLDEN, 'int-model.thm'))));
const vectors = JSON.parse(readFileSync(join(GOLDEN, 'int-model.json'), 'utf8')) as { features: number[][]; exits: { masks: number[][] }[] };

/** The dense integer model's tensors as `writeModel` takes them, integer arrays as i32. */
function partsOf(model: Model): Record<string, TensorData> {
  return Object.fromEntries(model.header.tensors.map((t): [string, TensorData] => {
    if (intBits(t.dtype) !== undefined) {
      return [t.name, { dtype: t.dtype as IntDtype, shape: t.shape, codes: model.intCodes(t.name), scale: t.scale! }];
    }
    if (isPlainInt(t.dtype)) return [t.name, { dtype: 'i32', shape: t.shape, data: model.int32(t.name) }];
    return [t.name, { shape: t.shape, data: model.tensor(t.name) }];
  }));
}

const { tensors: _table, ...header } = golden.header;
const compactBytes = writeModel(header, narrowIntArrays(header.layers, partsOf(golden)));
const compact = readModel(compactBytes);

/** How many mask values of every exit differ from the golden integer reference. */
function maskErrors(model: Model): number[] {
  const core = createCore('simd');
  const engine = createEngine(core, model);
  const features = core.allocF32(engine.bins);
  const mask = core.allocF32(engine.bins);
  return vectors.exits.map((g, exit) => {
    const state = engine.createState();
    return g.masks.reduce((wrong, want, t) => {
      core.writeF32(features, vectors.features[t]);
      engine.run(state, features, mask, { exit });
      return wrong + want.filter((v, i) => core.f32(mask, engine.bins)[i] !== v).length;
    }, 0);
  });
}

test('the smallest plain dtype holds every value: i8 before u8, then i16, then i32', () => {
  expect([[0, 127], [-128, 5], [0, 255], [-1, 128], [-32768, 32767], [32768], [-(2 ** 31)]].map(smallestPlainInt))
    .toEqual(['i8', 'i8', 'u8', 'i16', 'i16', 'i32', 'i32']);
});

test('a re-encoded integer model stores tables as 8 or 16 bits and shifts as bytes, and reads the same values', () => {
  const dtypes = new Map(compact.header.tensors.map((t) => [t.name, t.dtype]));
  const layers = compact.header.layers.flatMap((l) => (l.op === 'dense-int' || l.op === 'gru-int' ? [l] : []));
  const shifts = layers.map((l) => l.shift);
  const tables = layers.flatMap((l) => (l.op === 'gru-int' ? Object.values(l.tables) : l.table === null ? [] : [l.table]));
  expect(tables.length).toBeGreaterThan(0);
  expect(shifts.filter((n) => !['i8', 'u8'].includes(dtypes.get(n)!))).toEqual([]);
  expect(tables.filter((n) => !['i8', 'u8', 'i16'].includes(dtypes.get(n)!))).toEqual([]);
  expect([compact.header.version, new DataView(compactBytes.buffer).getUint32(8, true)]).toEqual([2, 2]);
  expect(compactBytes.length).toBeLessThan(golden.bytes.length);
  for (const t of golden.header.tensors.filter((s) => isPlainInt(s.dtype))) expect([t.name, compact.int32(t.name)]).toEqual([t.name, golden.int32(t.name)]);
});

test('the re-encoded golden integer model computes the golden masks of every exit bit for bit', () => {
  expect(maskErrors(compact)).toEqual(vectors.exits.map(() => 0));
});

test('version rules: a version 1 file may not use the narrow dtypes; versions other than 1 and 2 are refused', () => {
  const headerLength = new DataView(compactBytes.buffer).getUint32(12, true);
  const json = new TextDecoder().decode(compactBytes.subarray(16, 16 + headerLength)).trimEnd();
  const data = compactBytes.subarray(16 + headerLength, compactBytes.length - 4);
  rejects(assembleFile(json.replace('"version":2', '"version":1'), data, 1), /needs format version 2/);
  rejects(assembleFile(json, data, 1), /version.*the same version as the file prefix/);
  rejects(assembleFile(json.replace('"version":2', '"version":3'), data, 3 as 1), /format version 3 is not supported; this reader supports versions 1 and 2/);
  expect(readModel(assembleFile(json, data, 2)).header.version).toBe(2);
});

test('the writer refuses a value outside its dtype; a file without narrow arrays stays version 1', () => {
  const tensors = partsOf(golden);
  const shift = (header.layers[0] as { shift: string }).shift;
  const t = tensors[shift] as { dtype: string; data: Int32Array };
  expect(() => writeModel(header, { ...tensors, [shift]: { ...t, dtype: 'u8', data: Int32Array.from(t.data, () => 256) } as TensorData }))
    .toThrow(/value 256 does not fit u8 \[0, 255\]/);
  expect(Buffer.from(writeModel(header, tensors)).equals(Buffer.from(golden.bytes))).toBe(true);
});

/**
 * Compact sparse indices (format version 2, docs/model-format.md, "8-bit delta indices"): column
 * indices as 8-bit gaps (longer gaps bridged by stored zeros), 16-bit row pointers, the writer's
 * choice of the smallest; the reader checks them with typed errors; a re-encoded sparse integer model
 * computes the golden masks, and training/quant/compact.py writes the same bytes as the TS writer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../src/engine/engine.js';
import { ModelFormatError } from '../src/errors.js';
import { toSparse } from '../src/model/encode-dense.js';
import type { TensorData } from '../src/model/encode-tensor.js';
import { intBits, isPlainInt } from '../src/model/encodings.js';
import { narrowIntArrays } from '../src/model/narrow-ints.js';
import { readModel } from '../src/model/read.js';
import type { IntDtype, Model, ModelHeader } from '../src/model/types.js';
import { assembleFile, writeModel } from '../src/model/write.js';
import { createCore } from '../src/wasm/core.js';
import { dataStartOf, inputs, pythonEncoded as encoded, tensorData, withData } from './format-fixture.js';
import { rejects } from './model-errors.js';

const GOLDEN = join(process.cwd(), 'tests', 'fixtures', 'golden');
/** The format fixture with one more tensor `t` (named "extra"), and that tensor decoded. */
function withTensor(t: TensorData): { file: Uint8Array; spec: ModelHeader['tensors'][number]; dense: Float32Array } {
  const file = writeModel(inputs.header, { ...tensorData(), extra: t });
  const read = readModel(file);
  return { file, spec: read.header.tensors.find((s) => s.name === 'extra')!, dense: read.tensor('extra') };
}

/** A [rows, cols] matrix with about `density` of its elements non-zero (deterministic). */
function sparseMatrix(rows: number, cols: number, density: number): Float32Array {
  let seed = 12345;
  const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Float32Array.from({ length: rows * cols }, () => (next() < density ? Math.fround(next() - 0.5) : 0));
}

describe('the writer picks the smallest indices; the values survive every width', () => {
  const dense = sparseMatrix(6, 1000, 0.01);
  const parts = toSparse(dense, [6, 1000]);
  const csr = (extra: object): TensorData => ({ dtype: 'csr', shape: [6, 1000], valueDtype: 'f32', ...parts, ...extra });

  test.each([[{}, 8], [{ indexBits: 8 }, 8], [{ indexBits: 16 }, 16], [{ indexBits: 32 }, 32]])('%j → %i-bit indices', (extra, bits) => {
    const { spec, dense: decoded } = withTensor(csr(extra));
    expect([spec.indexBits, spec.rowPtrBits]).toEqual([bits, 16]);
    expect(decoded).toEqual(dense);
  });

  test('gaps over 255 columns are bridged by stored zeros that nnz counts', () => {
    const { spec } = withTensor(csr({ indexBits: 8 }));
    let bridges = 0;
    for (let r = 0; r < 6; r++) {
      let previous = -1;
      for (let i = parts.rowPtr[r]; i < parts.rowPtr[r + 1]; i++) {
        bridges += Math.floor((parts.colIdx[i] - previous - 1) / 256);
        previous = parts.colIdx[i];
      }
    }
    expect(bridges).toBeGreaterThan(0);
    expect(spec.nnz).toBe(parts.colIdx.length + bridges);
  });

  test('block-sparse: the same, in block columns', () => {
    const blocks = toSparse(sparseMatrix(8, 2048, 0.002), [8, 2048], [4, 4]);
    const { spec } = withTensor({ dtype: 'block-sparse', shape: [8, 2048], valueDtype: 'f32', block: [4, 4], indexBits: 8, ...blocks });
    expect([spec.indexBits, spec.nnz! >= blocks.colIdx.length]).toEqual([8, true]);
  });

  test('row pointers: 32 bits when nnz passes 65535, and an explicit 16 is refused then', () => {
    const full = { dtype: 'csr' as const, shape: [2, 40000] as [number, number], valueDtype: 'f32' as const, ...toSparse(new Float32Array(80000).fill(1), [2, 40000]) };
    const { spec, file } = withTensor(full);
    expect([spec.indexBits, spec.rowPtrBits, spec.nnz]).toEqual([8, undefined, 80000]);
    expect(() => withTensor({ ...full, rowPtrBits: 16 })).toThrow(ModelFormatError);
    const json = new TextDecoder().decode(file.subarray(16, dataStartOf(file))).trimEnd();
    rejects(assembleFile(json.replace('"nnz":80000,"indexBits":8', '"nnz":80000,"indexBits":8,"rowPtrBits":16'), file.subarray(dataStartOf(file), file.length - 4), 2),
      /rowPtrBits: expected 32: nnz 80000 does not fit 16-bit row pointers/);
  });

  test('the writer refuses column indices that do not increase within a row', () => {
    expect(() => withTensor(csr({ indexBits: 8, colIdx: Uint32Array.from(parts.colIdx).reverse() }))).toThrow(/does not follow .* in its row/);
  });
});

describe('malformed compact indices are ModelFormatErrors', () => {
  test('the fixture stores the delta tensors as the tests expect', () => {
    const spec = readModel(encoded).header.tensors.find((t) => t.name === 'extra.delta')!;
    expect([spec.indexBits, spec.rowPtrBits, spec.nnz]).toEqual([8, 16, 7]);
    const w = readModel(encoded).tensor('extra.delta');
    expect([w[0], w[600], w[699], w[2 * 700 + 300], w.filter((x) => x !== 0).length]).toEqual([1.5, -2, 0.25, 3, 4]);
  });

  test.each<[string, string, (v: DataView) => void, RegExp]>([
    ['a delta walking past the last column', 'extra.delta', (v) => v.setUint8(64 + 4, 200), /column delta 4 \(row 0\) walks to column 801, past the last of 700 columns/],
    ['a block delta walking past the last block column', 'extra.delta.blocks', (v) => { for (let i = 0; i < v.getUint16(2, true); i++) v.setUint8(64 + i, 255); },
      /column delta 1 \(block row 0\) walks to column 511, past the last of 300 block columns/],
    ['16-bit row pointers decreasing', 'extra.delta', (v) => v.setUint16(2 * 2, 0, true), /rowPtr\[2\] is 0: row pointers must be non-decreasing/],
    ['a 16-bit row pointer past nnz', 'extra.delta', (v) => v.setUint16(2, 9, true), /rowPtr\[1\] is 9: .*at most nnz = 7/],
    ['16-bit row pointers not ending at nnz', 'extra.delta', (v) => v.setUint16(2 * 3, 6, true), /rowPtr\[3\] is 6; it must equal nnz = 7/],
    ['a first row pointer other than 0', 'extra.auto', (v) => v.setUint16(0, 1, true), /rowPtr\[0\] is 1, must be 0/],
  ])('%s', (_, name, edit, fragment) => rejects(withData(name, edit), fragment));

  test('a version 1 file may not use 8-bit indices or 16-bit row pointers', () => {
    const json = new TextDecoder().decode(encoded.subarray(16, dataStartOf(encoded))).trimEnd();
    rejects(assembleFile(json.replace('"version":2', '"version":1'), encoded.subarray(dataStartOf(encoded), encoded.length - 4), 1),
      /no (dtype i16|indexBits 8|rowPtrBits 16) in a version 1 file \(it needs format version 2\)/);
  });
});

describe('a sparse integer model re-encoded compactly', () => {
  const golden = readModel(new Uint8Array(readFileSync(join(GOLDEN, 'int-sparse-model.thm'))));
  const vectors = JSON.parse(readFileSync(join(GOLDEN, 'int-sparse-model.json'), 'utf8')) as { features: number[][]; exits: { masks: number[][] }[] };

  /** The model's tensors as writer parts: integer arrays as i32 and sparse matrices without index widths. */
  function partsOf(model: Model): Record<string, TensorData> {
    return Object.fromEntries(model.header.tensors.map((t): [string, TensorData] => {
      if (t.dtype === 'csr' || t.dtype === 'block-sparse') {
        return [t.name, { dtype: t.dtype, shape: t.shape as [number, number], valueDtype: t.values!, ...(t.block && { block: t.block }),
          ...toSparse(model.intCodes(t.name), t.shape as [number, number], t.block ?? [1, 1]), scale: t.scale! }];
      }
      if (intBits(t.dtype) !== undefined) return [t.name, { dtype: t.dtype as IntDtype, shape: t.shape, codes: model.intCodes(t.name), scale: t.scale! }];
      if (isPlainInt(t.dtype)) return [t.name, { dtype: 'i32', shape: t.shape, data: model.int32(t.name) }];
      return [t.name, { shape: t.shape, data: model.tensor(t.name) }];
    }));
  }
  const { tensors: _table, ...header } = golden.header;
  const bytes = writeModel(header, narrowIntArrays(header.layers, partsOf(golden)));
  const compact = readModel(bytes);

  test('its sparse matrices take 8-bit indices and 16-bit row pointers, and the file shrinks', () => {
    const sparse = compact.header.tensors.filter((t) => t.nnz !== undefined);
    expect(sparse.length).toBeGreaterThan(0);
    expect(sparse.filter((t) => t.indexBits !== 8 || t.rowPtrBits !== 16).map((t) => t.name)).toEqual([]);
    expect(bytes.length).toBeLessThan(golden.bytes.length * 0.7);
  });

  test('it computes the golden masks of every exit bit for bit', () => {
    const core = createCore('simd');
    const engine = createEngine(core, compact);
    const features = core.allocF32(engine.bins);
    const mask = core.allocF32(engine.bins);
    const wrong = vectors.exits.map((g, exit) => {
      const state = engine.createState();
      return g.masks.reduce((n, want, t) => {
        core.writeF32(features, vectors.features[t]);
        engine.run(state, features, mask, { exit });
        const got = core.f32(mask, engine.bins);
        return n + want.filter((v, i) => got[i] !== v).length;
      }, 0);
    });
    expect(wrong).toEqual(vectors.exits.map(() => 0));
  });

  test('training/quant/compact.py writes the same bytes', () => {
    if (spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status !== 0) {
      console.warn('skipped: python3 with numpy is not available to run training/quant/compact.py');
      return;
    }
    const out = mkdtempSync(join(tmpdir(), 'thm-compact-'));
    try {
      const run = spawnSync('python3', ['training/quant/compact.py', join(GOLDEN, 'int-sparse-model.thm'), join(out, 'c.thm')], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(readFileSync(join(out, 'c.thm')).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      rmSync(out, { recursive: true });
    }
  });
});

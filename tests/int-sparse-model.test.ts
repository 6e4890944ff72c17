/**
 * A sparse integer model (training/quant/make_int_sparse_model_golden.py: csr and 4×4 block-sparse
 * weights, a 161-wide block layer and a 161-row one) runs in the engine exactly as the Python
 * integer reference computes it, in both WASM builds; each matrix runs in the layout the engine's
 * rule picks (docs/sparsity.md, "Engine"), which telemetry shows in the MACs and bytes a frame
 * counts; malformed sparse tensors are typed errors at read time; partial edge blocks are written
 * by TS as by Python.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from '../src/model/crc32.js';
import { describeModel } from '../src/model/describe.js';
import { toSparse } from '../src/model/encode-dense.js';
import { encodeTensor } from '../src/model/encode-tensor.js';
import { blockGrid, tensorLayout } from '../src/model/encodings.js';
import { layerMacs } from '../src/model/macs.js';
import { readModel } from '../src/model/read.js';
import type { LayerSpec, TensorSpec } from '../src/model/types.js';
import { ModelFormatError } from '../src/errors.js';
import { chooseLayout, intMatrix, SparseLayout, toBlockLayout } from '../src/engine/sparse-int-layout.js';

const root = process.cwd();
const bytes = new Uint8Array(readFileSync(join(root, 'tests', 'fixtures', 'golden', 'int-sparse-model.thm')));
const model = readModel(bytes);
const { header } = model;
const spec = (name: string): TensorSpec => header.tensors.find((t) => t.name === name)!;
const layer = (name: string): LayerSpec => header.layers.find((l) => l.name === name)!;

/** The layout the fixture's script built each matrix for (a GRU: input side, hidden side). */
const EXPECTED: Record<string, SparseLayout[]> = {
  'fc_in': [SparseLayout.Block4x4],
  'gru1': [SparseLayout.Block4x4, SparseLayout.Block4x4],
  'presence.out': [SparseLayout.Dense],
  'exit0.anc': [SparseLayout.Dense],
  'exit0.mask': [SparseLayout.Block4x4],
  'gru2': [SparseLayout.Csr, SparseLayout.Dense],
  'exit1.anc': [SparseLayout.Dense],
  'exit1.mask': [SparseLayout.Csr],
};

/** Each matrix of a layer: its tensors (stacked) and rows. */
function matrices(l: LayerSpec): string[][] {
  if (l.op === 'dense-int') return [[l.weight]];
  if (l.op === 'gru-int') return [[l.weights.ir, l.weights.iz, l.weights.in], [l.weights.hr, l.weights.hz, l.weights.hn]];
  throw new Error(`not an integer layer: ${l.name}`);
}

/** MACs and bytes a frame's GEMV on the matrix of `names` counts in `layout` (docs/sparsity.md, "Telemetry"). */
function work(names: string[], layout: SparseLayout): { macs: number; bytes: number } {
  const rows = names.reduce((n, name) => n + spec(name).shape[0], 0);
  const cols = spec(names[0]).shape[1];
  const bias = 4 * rows;
  if (layout === SparseLayout.Dense) return { macs: rows * cols, bytes: rows * cols + bias };
  const nnz = names.reduce((n, name) => n + spec(name).nnz!, 0);
  if (layout === SparseLayout.Csr) return { macs: nnz, bytes: 3 * nnz + 4 * (rows + 1) + bias };
  // The fixture's blocks are 4×4 on the grid and each gate has a multiple of 4 rows: one stored block, one kernel block.
  return { macs: 16 * nnz, bytes: 18 * nnz + 4 * (Math.ceil(rows / 4) + 1) + bias };
}

function exitWork(exit: number): { macs: number; bytes: number } {
  return header.exits[exit].layers.reduce((sum, name) => {
    matrices(layer(name)).forEach((names, side) => {
      const w = work(names, EXPECTED[name][side]);
      sum.macs += w.macs;
      sum.bytes += w.bytes;
    });
    return sum;
  }, { macs: 0, bytes: 0 });
}

interface Run {
  results: Record<string, number>;
  telemetry: { macs: number; bytes: number }[];
}

function run(build: string, flags: string[]): Run {
  const args = [...flags, '--import', './tests/fuzz/register-ts.mjs', join('tests', 'int-model-run.ts'), build, 'int-sparse-model'];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }));
}

describe.each([
  ['simd', []],
  ['relaxed-simd', ['--experimental-wasm-relaxed-simd']],
])('%s build', (build, flags) => {
  const { results, telemetry } = run(build, flags as string[]);

  test('masks, speech presence and layerOutput of every exit, held and reset states, run + extend match the reference bit for bit', () => {
    expect(Object.keys(results)).toHaveLength(9);
    for (const [name, wrong] of Object.entries(results)) expect([name, wrong]).toEqual([name, 0]);
  });

  test('a frame counts the MACs and bytes of the stored elements (CSR), stored blocks (4×4) or every weight (expanded)', () => {
    expect(telemetry).toEqual(header.exits.map((_, e) => exitWork(e)));
  });
});

test('info reads a sparse weight\'s bit width from its values', () => {
  const text = describeModel(model);
  expect(text).toMatch(/fc_in: dense-int .*bits: w 4 input 16/);
  expect(text).toMatch(/gru1: gru-int .*bits: ir 6 iz 4 in 8 hr 8 hz 4 hn 6 input 8/);
  expect(text).not.toMatch(/undefined|NaN/);
});

test('the engine picks each matrix\'s layout by the rule of docs/sparsity.md', () => {
  for (const l of header.layers) {
    expect([l.name, matrices(l).map((names) => chooseLayout(intMatrix(model, names)))]).toEqual([l.name, EXPECTED[l.name]]);
  }
});

test('executed MACs are the dense MACs less the share of weights not stored, except in matrices expanded to dense', () => {
  header.exits.forEach((exit, e) => {
    const dense = exit.layers.reduce((sum, name) => sum + layerMacs(layer(name)), 0);
    const expandedOrStored = exit.layers.reduce((sum, name) => sum + matrices(layer(name)).reduce((n, names, side) => {
      const m = intMatrix(model, names);
      return n + (EXPECTED[name][side] === SparseLayout.Dense ? m.codes.length
        : EXPECTED[name][side] === SparseLayout.Csr ? m.stored.reduce((k, s) => k + s, 0) : 16 * toBlockLayout(m).index.length);
    }, 0), 0);
    expect(exitWork(e).macs).toBe(expandedOrStored);
    expect(expandedOrStored).toBeLessThan(0.5 * dense);
  });
});

describe('4×4 block layout (assembly/int-sparse.ts)', () => {
  test('a 161-wide matrix places its last grid block at column 157 with the columns of the block before it zeroed', () => {
    const fcIn = toBlockLayout(intMatrix(model, ['fc_in.weight']));
    const codes = model.intCodes('fc_in.weight');
    const lastColumn = fcIn.index.findIndex((start) => start === 157);
    expect(lastColumn).toBeGreaterThanOrEqual(0);
    const block = fcIn.values.subarray(16 * lastColumn, 16 * lastColumn + 16);
    const group = fcIn.rowPtr.findIndex((p) => p > lastColumn) - 1;
    for (let a = 0; a < 4; a++) {
      expect(Array.from(block.subarray(4 * a, 4 * a + 3))).toEqual([0, 0, 0]);
      expect(block[4 * a + 3]).toBe(codes[(4 * group + a) * 161 + 160]);
    }
    expect(Math.max(...fcIn.index)).toBe(157);
  });

  test('a 161-row matrix ends in a group whose three missing rows hold 0', () => {
    const mask = toBlockLayout(intMatrix(model, ['exit0.mask.weight']));
    expect(mask.rowPtr).toHaveLength(Math.ceil(161 / 4) + 1);
    const last = mask.rowPtr[40];
    for (let b = last; b < mask.rowPtr[41]; b++) {
      expect(Array.from(mask.values.subarray(16 * b + 4, 16 * b + 16))).toEqual(new Array(12).fill(0));
    }
    expect(mask.rowPtr[41]).toBeGreaterThan(last);
  });

  test('a matrix narrower than 4 columns never takes blocks', () => {
    const m = { rows: 8, cols: 3, codes: new Int8Array(24), stored: new Uint8Array(24), sparse: true };
    m.stored[0] = 1;
    expect(chooseLayout(m)).toBe(SparseLayout.Csr);
    m.stored.fill(1, 0, 12);
    expect(chooseLayout(m)).toBe(SparseLayout.Dense);
  });
});

test('a partial last block column is read as by training/thm.py (clipped) and written by TS byte for byte as by it', () => {
  const codes = model.intCodes('fc_in.weight');
  const scale = model.tensor(spec('fc_in.weight').scale!);
  expect(Array.from(model.tensor('fc_in.weight'))).toEqual(Array.from(codes, (q, i) => Math.fround(scale[Math.floor(i / 161)] * q)));
  const s = spec('fc_in.weight');
  expect(blockGrid(s)).toEqual({ blockRows: 4, blockCols: 41 });
  const parts = toSparse(model.intCodes('fc_in.weight'), [16, 161], [4, 4]);
  const encoded = encodeTensor('fc_in.weight', { dtype: 'block-sparse', shape: [16, 161], valueDtype: 'int4', indexBits: 16, rowPtrBits: 32,
    block: [4, 4], ...parts, scale: s.scale });
  expect(encoded.spec.byteLength).toBe(s.byteLength);
  expect(Buffer.from(encoded.bytes).equals(Buffer.from(model.tensorBytes('fc_in.weight')))).toBe(true);
});

describe('a malformed sparse integer tensor is a ModelFormatError at read time', () => {
  const dataStart = 16 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  /** The fixture with tensor `name`'s bytes changed by `edit` (CRC recomputed). */
  const withData = (name: string, edit: (view: DataView) => void): Uint8Array => {
    const file = bytes.slice();
    const s = spec(name);
    edit(new DataView(file.buffer, dataStart + s.offset, s.byteLength));
    new DataView(file.buffer).setUint32(file.length - 4, crc32(file.subarray(0, file.length - 4)), true);
    return file;
  };
  const csr = spec('gru2.hr'); // [16, 16], csr of 105 codes
  const col = tensorLayout(csr).indexStart;
  const blocks = tensorLayout(spec('fc_in.weight')); // [16, 161] in 4×4 blocks of int4: 8 bytes a block
  const rowPtr = (view: DataView, r: number): number => view.getUint32(4 * r, true);
  const firstRowWithTwo = (view: DataView): number => [...Array(16).keys()].find((r) => rowPtr(view, r + 1) - rowPtr(view, r) >= 2)!;

  test.each([
    ['a column index out of range', 'gru2.hr', (v: DataView) => v.setUint16(col, 16, true), /column index 0 .* is 16/],
    ['a row whose columns are not increasing', 'gru2.hr', (v: DataView) => {
      const i = rowPtr(v, firstRowWithTwo(v));
      const [a, b] = [v.getUint16(col + 2 * i, true), v.getUint16(col + 2 * i + 2, true)];
      v.setUint16(col + 2 * i, b, true);
      v.setUint16(col + 2 * i + 2, a, true);
    }, /strictly increasing/],
    ['a last row pointer that disagrees with nnz', 'gru2.hr', (v: DataView) => v.setUint32(4 * 16, csr.nnz! - 1, true), /must equal nnz/],
    ['decreasing row pointers', 'gru2.hr', (v: DataView) => v.setUint32(4, 1000, true), /non-decreasing and at most nnz/],
    ['a block column out of range', 'fc_in.weight', (v: DataView) => v.setUint16(blocks.indexStart, 41, true), /is 41: .* < 41/],
    ['a non-zero code in the padding of a partial block', 'fc_in.weight', (v: DataView) => {
      const nnz = spec('fc_in.weight').nnz!;
      const i = [...Array(nnz).keys()].find((b) => v.getUint16(blocks.indexStart + 2 * b, true) === 40)!;
      const at = blocks.valuesStart + 8 * i;
      v.setUint8(at, v.getUint8(at) | 0x10); // row 0, column 1 of the block: column 161
    }, /padding of a partial block must be zero/],
  ] as const)('%s', (_, name, edit, message) => {
    const bad = withData(name, edit);
    expect(() => readModel(bad)).toThrow(ModelFormatError);
    expect(() => readModel(bad)).toThrow(message);
  });

  test('the fixture itself reads, with a block in the partial last column (what the padding case edits)', () => {
    expect(() => readModel(withData('gru2.hr', () => undefined))).not.toThrow();
    const v = new DataView(bytes.buffer, bytes.byteOffset + dataStart + spec('fc_in.weight').offset);
    expect([...Array(41).keys()].some((b) => v.getUint16(blocks.indexStart + 2 * b, true) === 40)).toBe(true);
  });
});

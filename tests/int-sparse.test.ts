/**
 * The sparse integer kernels (assembly/int-sparse.ts, docs/sparsity.md) equal the Python integer
 * reference bit for bit on the golden vectors of training/quant/make_sparse_golden.py, in both WASM
 * builds, and count only the MACs they execute and the bytes they read. tests/int-sparse-run.cjs runs
 * one build in a child process (the relaxed build needs a V8 flag on Node 20).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const RUNNER = join(root, 'tests', 'int-sparse-run.cjs');

interface Telemetry { macs: number; bytes: number }
interface Results {
  gemv: Record<string, Telemetry & { wrong: number; recordWrong: number }>;
  gru: Record<string, Telemetry & { wrong: number }>;
}
interface Layout { format: 'csr' | 'block'; rowPtr: number[]; index: number[]; values: number[] }
interface GemvCase { name: string; rows: number; cols: number; stored: number; nonZero: number; matrix: Layout; bias: number[] | null }
interface GruCase { name: string; hidden: number; Wih: Layout; Whh: Layout }

const golden: { gemv: GemvCase[]; gru: GruCase[] } =
  JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'golden', 'int-sparse.json'), 'utf8'));

/** Bytes a sparse GEMV reads: codes, u16 indices (one per element or block), row pointers, bias. */
function bytesRead(m: Layout, rows: number, withBias: boolean): number {
  return m.values.length + 2 * m.index.length + 4 * m.rowPtr.length + (withBias ? 4 * rows : 0);
}

function run(wasm: string, flags: string[]): Results {
  return JSON.parse(execFileSync(process.execPath, [...flags, RUNNER, join(root, 'build', wasm)], { encoding: 'utf8' }));
}

test('the golden cases cover both layouts, 50-95 % sparsity, empty rows, an empty matrix and the block tails', () => {
  const formats = new Set(golden.gemv.map((c) => c.matrix.format));
  expect(formats).toEqual(new Set(['csr', 'block']));
  const sparsity = golden.gemv.map((c) => 1 - c.nonZero / (c.rows * c.cols));
  expect(Math.min(...sparsity)).toBeLessThan(0.6);
  expect(sparsity.filter((s) => s >= 0.95).length).toBeGreaterThanOrEqual(2);
  for (const c of golden.gemv) expect(c.matrix.rowPtr.slice(1).some((p, r) => p === c.matrix.rowPtr[r])).toBe(true);
  expect(golden.gemv.filter((c) => c.stored === 0).map((c) => c.matrix.format).sort()).toEqual(['block', 'csr']);
  // A width that is not a multiple of 4 (a block placed at cols − 4) and a last group of fewer than 4 rows.
  const blocks = golden.gemv.filter((c) => c.matrix.format === 'block' && c.stored > 0);
  expect(blocks.some((c) => c.matrix.index.some((start) => start % 4 !== 0))).toBe(true);
  expect(blocks.some((c) => c.rows % 4 !== 0)).toBe(true);
});

describe.each([
  ['simd', 'core.wasm', []],
  ['relaxed-simd', 'core-relaxed.wasm', ['--experimental-wasm-relaxed-simd']],
])('%s build', (_build, wasm, flags) => {
  const results = run(wasm, flags as string[]);

  test('every golden case is checked', () => {
    expect(Object.keys(results.gemv).sort()).toEqual(golden.gemv.map((c) => c.name).sort());
    expect(Object.keys(results.gru).sort()).toEqual(golden.gru.map((c) => c.name).sort());
  });

  test('CSR and block GEMVs, direct and through a SparseMatrix record, match the reference bit for bit', () => {
    for (const [name, r] of Object.entries(results.gemv)) expect([name, r.wrong, r.recordWrong]).toEqual([name, 0, 0]);
  });

  test('sparse GRU step sequences match the reference bit for bit', () => {
    for (const [name, r] of Object.entries(results.gru)) expect([name, r.wrong]).toEqual([name, 0]);
  });

  test('a sparse GEMV counts the MACs it executed (stored elements, 16 per 4×4 block) and the bytes it read', () => {
    for (const c of golden.gemv) {
      const { macs, bytes } = results.gemv[c.name];
      expect([c.name, macs, bytes]).toEqual([c.name, c.stored, bytesRead(c.matrix, c.rows, c.bias !== null)]);
      expect(macs).toBeLessThan(c.rows * c.cols);
    }
  });

  test('a sparse GRU step counts both sparse GEMVs, not the dense 3·hidden·(in + hidden)', () => {
    for (const c of golden.gru) {
      const rows = 3 * c.hidden;
      const { macs, bytes } = results.gru[c.name];
      expect(macs).toBe(c.Wih.values.length + c.Whh.values.length);
      expect(bytes).toBe(bytesRead(c.Wih, rows, true) + bytesRead(c.Whh, rows, true));
    }
  });
});

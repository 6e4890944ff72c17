/**
 * The integer kernels (docs/integer.md) equal the Python integer reference bit for bit on the golden
 * vectors of training/quant/make_int_golden.py, in both WASM builds. tests/int-golden-run.cjs runs
 * one build in a child process (the relaxed build needs a V8 flag on Node 20) and reports per case
 * how many outputs differ.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const RUNNER = join(root, 'tests', 'int-golden-run.cjs');

interface Telemetry { macs: number; bytes: number; inSize: number; hidden: number }
type Results = Record<string, number> & { telemetry: Telemetry };

function run(wasm: string, flags: string[]): Results {
  return JSON.parse(execFileSync(process.execPath, [...flags, RUNNER, join(root, 'build', wasm)], { encoding: 'utf8' }));
}

const golden = (name: string) => JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'golden', name), 'utf8'));

describe.each([
  ['simd', 'core.wasm', []],
  ['relaxed-simd', 'core-relaxed.wasm', ['--experimental-wasm-relaxed-simd']],
])('%s build', (_build, wasm, flags) => {
  const results = run(wasm, flags as string[]);
  const { telemetry, ...cases } = results;

  test('every golden case is checked', () => {
    const expected = [
      ...golden('int-dense.json').map((c: { name: string }) => `dense ${c.name}`),
      ...golden('int-gru.json').map((c: { name: string }) => `gru ${c.name}`),
      'requant', 'input 8 bits', 'mask 8 bits', 'input 16 bits', 'mask 16 bits',
    ];
    expect(Object.keys(cases).sort()).toEqual(expected.sort());
  });

  test('dense, GRU, requantization and the float boundaries match the reference bit for bit', () => {
    for (const [name, wrong] of Object.entries(cases)) expect([name, wrong]).toEqual([name, 0]);
  });

  test('a GRU step counts 3·hidden·(in + hidden) MACs and reads i8 weights plus i32 biases', () => {
    const { macs, bytes, inSize, hidden } = telemetry;
    expect(macs).toBe(3 * hidden * (inSize + hidden));
    expect(bytes).toBe(3 * hidden * (inSize + hidden) + 2 * 3 * hidden * 4);
  });
});

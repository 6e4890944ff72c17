/**
 * The lane form of requantization (src/engine/lane-requant.ts, assembly/requant-lanes.ts): four rows
 * per SIMD step in `requantize` and `intGruGates` equal docs/integer.md's per-row rq bit for bit, in
 * both WASM builds, on adversarial inputs (int32 extremes, exact ties at .5 and their neighbours,
 * shifts spread as far as the form allows, m = 0 rows, counts that are not multiples of 4), as the
 * row-by-row path does; the form is refused where its i32 bounds would not hold.
 * tests/requant-lanes-run.ts runs one build in a child process (the relaxed build needs a V8 flag).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { laneRequant } from '../src/engine/lane-requant.js';

interface Case { lanes: number; rows: number; outputs: number; ties: number }

function run(build: string, flags: string[]): Record<string, Case> {
  const args = [...flags, '--import', './tests/fuzz/register-ts.mjs', join('tests', 'requant-lanes-run.ts'), build];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: process.cwd(), encoding: 'utf8' }));
}

describe.each([
  ['simd', []],
  ['relaxed-simd', ['--experimental-wasm-relaxed-simd']],
])('%s build', (build, flags) => {
  const cases = run(build, flags as string[]);

  test('requantize and intGruGates match the BigInt definitions, lane form and row by row', () => {
    const names = Object.keys(cases);
    expect(names.filter((n) => n.startsWith('requantize')).length).toBe(7 * 6 * 4);
    expect(names.filter((n) => n.startsWith('gru')).length).toBe(7 * 6 * 4);
    for (const [name, c] of Object.entries(cases)) expect([name, c.lanes, c.rows]).toEqual([name, 0, 0]);
  });

  test('the inputs hit exact ties of the rounding rule', () => {
    const all = Object.values(cases);
    expect(all.reduce((n, c) => n + c.ties, 0)).toBeGreaterThan(200);
    expect(all.filter((c) => c.ties > 0).length).toBeGreaterThan(all.length / 3);
  });
});

describe('laneRequant', () => {
  const m = (n: number): Int32Array => new Int32Array(n).fill(2 ** 30);

  test('per-row powers of two up to the largest shift, one shift for the tensor', () => {
    expect(laneRequant(m(3), Int32Array.of(40, 38, 41))).toEqual({ pow: Int32Array.of(2, 8, 1), shift: 5, spread: 3 });
  });

  test('rows with m = 0 (stored with s = 1) do not count and get 1', () => {
    const form = laneRequant(Int32Array.of(2 ** 30, 0, 2 ** 30), Int32Array.of(34, 1, 35));
    expect(form).toEqual({ pow: Int32Array.of(2, 1, 1), shift: 1, spread: 1 });
    expect(laneRequant(new Int32Array(4), Int32Array.of(1, 1, 1, 1))).toEqual({ pow: Int32Array.of(1, 1, 1, 1), shift: 0, spread: 0 });
  });

  test('refused where its i32 bounds would not hold: a shift below 33, or a spread over S_min − 33', () => {
    expect(laneRequant(m(2), Int32Array.of(32, 32))).toBeNull();
    expect(laneRequant(m(2), Int32Array.of(40, 48))).toBeNull();
    expect(laneRequant(m(2), Int32Array.of(40, 47))).not.toBeNull();
    expect(laneRequant(m(2), Int32Array.of(33, 34))).toBeNull();
  });
});

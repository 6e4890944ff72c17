/**
 * The lane form of requantization (src/engine/lane-requant.ts, assembly/requant-lanes.ts), per group
 * of four rows (a GRU: four units across its six gates): four rows per SIMD step in `requantize` and
 * `intGruGates` equal docs/integer.md's per-row rq bit for bit, in both WASM builds, on adversarial
 * inputs (int32 extremes, exact ties at .5 and their neighbours, shifts spread as far as the form
 * allows, m = 0 rows, counts that are not multiples of 4), as the row-by-row path does; tensors whose
 * groups differ (ranges per group, groups without the form, all-zero groups, partial last groups) run
 * each run of groups in its own form; the form is refused where its i32 bounds would not hold.
 * tests/requant-lanes-run.ts runs one build in a child process (the relaxed build needs a V8 flag).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { laneRequant } from '../src/engine/lane-requant.js';

interface Case { lanes: number; rows: number; outputs: number; ties: number; laneGroups: number; rowGroups: number; runs: number }

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

  test('tensors whose groups differ mix lane-form groups with groups run row by row', () => {
    const mixed = Object.entries(cases).filter(([name]) => name.startsWith('mixed'));
    expect(mixed.length).toBe(5 * 4 * 3 + 4 * 4 * 3);
    for (const [name, c] of mixed) expect([name, c.laneGroups > 0, c.rowGroups > 0, c.runs > 1]).toEqual([name, true, true, true]);
    expect(mixed.reduce((n, [, c]) => n + c.outputs, 0)).toBeGreaterThan(3000);
  });

  test('the inputs hit exact ties of the rounding rule', () => {
    const all = Object.values(cases);
    expect(all.reduce((n, c) => n + c.ties, 0)).toBeGreaterThan(200);
    expect(all.filter((c) => c.ties > 0).length).toBeGreaterThan(all.length / 3);
  });
});

describe('laneRequant', () => {
  const m = (n: number): Int32Array => new Int32Array(n).fill(2 ** 30);
  const form = (pow: number[], runs: number[]) => ({ pow: Int32Array.from(pow), runs: Int32Array.from(runs) });

  test('per-row powers of two up to the largest shift of the run, one shift and spread per run', () => {
    expect(laneRequant(m(8), Int32Array.of(40, 38, 41, 40, 34, 35, 34, 34))).toEqual(form([2, 8, 1, 2, 2, 1, 2, 2], [4, 5, 3, 8, 1, 1]));
  });

  test('consecutive groups share a run as far as the bounds hold over their rows together', () => {
    expect(laneRequant(m(12), Int32Array.of(40, 40, 40, 40, 41, 41, 41, 41, 47, 40, 40, 40)))
      .toEqual(form([128, 128, 128, 128, 64, 64, 64, 64, 1, 128, 128, 128], [12, 7, 7]));
    expect(laneRequant(m(12), Int32Array.of(40, 40, 40, 40, 41, 41, 41, 41, 48, 41, 41, 41)))
      .toEqual(form([2, 2, 2, 2, 1, 1, 1, 1, 1, 128, 128, 128], [8, 7, 1, 12, 8, 7]));
  });

  test('rows with m = 0 (stored with s = 1) do not count and get 1; an all-zero group has shift 0', () => {
    expect(laneRequant(Int32Array.of(2 ** 30, 0, 2 ** 30, 2 ** 30), Int32Array.of(34, 1, 35, 35))).toEqual(form([2, 1, 1, 1], [4, 1, 1]));
    expect(laneRequant(new Int32Array(4), Int32Array.of(1, 1, 1, 1))).toEqual(form([1, 1, 1, 1], [4, 0, 0]));
  });

  test('groups outside the i32 bounds (a shift below 33, or a spread over S_min − 33) run row by row, the rest keep the form', () => {
    const shifts = Int32Array.of(40, 47, 40, 40, 40, 48, 40, 40, 32, 32, 32, 32, 33, 33, 33, 34);
    expect(laneRequant(m(16), shifts)).toEqual(form([128, 1, 128, 128, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [4, 7, 7, 16, -1, 0]));
    expect(laneRequant(m(4), Int32Array.of(40, 48, 40, 40))).toBeNull();
    expect(laneRequant(m(4), Int32Array.of(32, 32, 32, 32))).toBeNull();
  });

  test('the last rows % 4 belong to no group; fewer than four rows have no lane form', () => {
    expect(laneRequant(m(6), Int32Array.of(34, 34, 34, 34, 20, 60))).toEqual(form([1, 1, 1, 1, 1, 1], [4, 1, 0]));
    expect(laneRequant(m(3), Int32Array.of(40, 40, 40))).toBeNull();
  });

  test('a GRU has a form per gate; the groups of four units take it in every gate or none', () => {
    // Two gates of five units: the groups are rows 0–3 (gate 0) and 5–8 (gate 1); unit 4 (rows 4, 9) is in none.
    const shifts = Int32Array.of(34, 34, 35, 34, 20, 36, 36, 36, 36, 20);
    expect(laneRequant(m(10), shifts, 5)).toEqual(form([2, 2, 1, 2, 1, 1, 1, 1, 1, 1], [4, 1, 1, 3, 0]));
    expect(laneRequant(m(10), shifts)).toEqual(form([2, 2, 1, 2, 1, 1, 1, 1, 1, 1], [4, 1, 1, 8, -1, 0]));
    // Two gates of eight units: units 4–7 fail in gate 1 only (a shift below 33), so run row by row in both.
    const outlier = Int32Array.of(40, 40, 40, 40, 40, 40, 40, 40, 41, 41, 41, 41, 40, 32, 40, 40);
    expect(laneRequant(m(16), outlier, 8)).toEqual(form(new Array(16).fill(1), [4, 7, 0, 8, 0, 8, -1, 0, -1, 0]));
  });
});

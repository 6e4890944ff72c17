/**
 * The two WASM builds: the core picks relaxed SIMD only where the runtime validates it, either can
 * be forced, and the relaxed build (fused multiply-add) agrees with the SIMD build to rounding.
 * Node 20 runs relaxed SIMD only behind a flag, so that half runs in a child process with it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createDenoiser, relaxedSimdSupported, TinyhushError } from '../src/index.js';
import { createCore } from '../src/wasm/core.js';
import { loadGolden } from './engine-fixtures.js';

const model = loadGolden('gru').bytes;

test("'auto' takes the relaxed build exactly where the runtime supports it; 'simd' can be forced", () => {
  expect(createCore().build).toBe(relaxedSimdSupported() ? 'relaxed-simd' : 'simd');
  expect(createCore('simd').build).toBe('simd');
  expect(createDenoiser({ model, sampleRate: 16000, wasmBuild: 'simd' }).wasmBuild).toBe('simd');
  expect(createDenoiser({ model, sampleRate: 16000 }).wasmBuild).toBe(createCore().build);
});

test("forcing 'relaxed-simd' where the runtime lacks it is a typed error", () => {
  if (relaxedSimdSupported()) {
    expect(createCore('relaxed-simd').build).toBe('relaxed-simd');
    return;
  }
  const create = () => createDenoiser({ model, sampleRate: 16000, wasmBuild: 'relaxed-simd' });
  expect(create).toThrow(TinyhushError);
  expect(create).toThrow(/--experimental-wasm-relaxed-simd/);
});

// Runs in the child: both builds from build/ on the same dense and dwconv inputs.
const CHILD = `
const { readFileSync } = require('node:fs');
const load = (file) => new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), {}).exports;
const bytes = readFileSync(process.argv[2]);
const results = [process.argv[1], process.argv[2]].map((file) => {
  const k = load(file);
  const f32 = (ptr, n) => new Float32Array(k.memory.buffer, ptr, n);
  const put = (n, seed) => { const p = k.alloc(n * 4, 64); let s = seed; f32(p, n).forEach((_, i, a) => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; }); return p; };
  const [rows, cols, ch] = [192, 161, 64];
  const out = k.alloc(rows * 4, 64);
  k.dense(out, put(rows * cols, 1), put(cols, 2), put(rows, 3), rows, cols, 0);
  const conv = k.alloc(ch * 4, 64), state = k.alloc(k.dwConvStateLength(ch, 3, 2) * 4, 64);
  const [w, b] = [put(3 * ch, 4), put(ch, 5)];
  for (let t = 0; t < 5; t++) k.dwConvStep(conv, put(ch, 10 + t), state, w, b, ch, 3, 2, 0, 0);
  return [...f32(out, rows), ...f32(conv, ch)];
});
const diff = Math.max(...results[0].map((v, i) => Math.abs(v - results[1][i])));
console.log(JSON.stringify({ validates: WebAssembly.validate(bytes), diff, n: results[0].length }));
`;

const VALIDATES = `
const { readFileSync } = require('node:fs');
console.log(JSON.stringify(process.argv.slice(1).map((file) => WebAssembly.validate(readFileSync(file)))));
`;

const build = join(process.cwd(), 'build');
const builds = [join(build, 'core.wasm'), join(build, 'core-relaxed.wasm')];

test('the relaxed build needs relaxed SIMD (it holds relaxed instructions); the SIMD build does not', () => {
  const out = execFileSync(process.execPath, ['--no-experimental-wasm-relaxed-simd', '-e', VALIDATES, ...builds],
    { encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual([true, false]);
});

test('with relaxed SIMD enabled, the relaxed build validates and agrees with the SIMD build to 1e-5', () => {
  const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '-e', CHILD, ...builds],
    { encoding: 'utf8' });
  const { validates, diff, n } = JSON.parse(out) as { validates: boolean; diff: number; n: number };
  expect(validates).toBe(true);
  expect(n).toBe(192 + 64);
  expect(diff).toBeLessThanOrEqual(1e-5);
});

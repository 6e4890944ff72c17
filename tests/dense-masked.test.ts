// The masked dense kernels against a JS reference: denseMasked's SIMD row path (active rows
// gathered in fours) and denseColsMasked on transposed weights, at many shapes and mask ratios.
import { Activation, createCore } from '../src/wasm/core.js';

const core = createCore();
const wasm = core.exports;

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomValues(n: number, next: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => 2 * next() - 1);
}

function put(values: ArrayLike<number>): number {
  const ptr = core.allocF32(values.length);
  core.writeF32(ptr, values);
  return ptr;
}

function putMask(values: ArrayLike<number>): number {
  const ptr = core.allocU8(values.length);
  core.u8(ptr, values.length).set(values);
  return ptr;
}

const ACTIVATIONS: ((v: number) => number)[] = [
  (v) => v, (v) => Math.max(v, 0), (v) => 1 / (1 + Math.exp(-v)), Math.tanh,
];

/** act(W·x + b) over active columns; inactive rows are 0. W row-major [rows, cols]. */
function reference(W: Float32Array, x: Float32Array, b: Float32Array | null, rows: number, cols: number,
  act: number, rowMask: ArrayLike<number> | null, colMask: ArrayLike<number> | null): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    if (rowMask && !rowMask[r]) continue;
    let s = b ? b[r] : 0;
    for (let c = 0; c < cols; c++) if (!colMask || colMask[c]) s += W[r * cols + c] * x[c];
    out[r] = ACTIVATIONS[act](s);
  }
  return out;
}

function transpose(W: Float32Array, rows: number, cols: number): Float32Array {
  const Wt = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) Wt[c * rows + r] = W[r * cols + c];
  return Wt;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** A u8 mask with each entry on with probability `ratio` (at least one on unless ratio is 0). */
function randomMask(n: number, ratio: number, next: () => number): Uint8Array {
  const mask = Uint8Array.from({ length: n }, () => (next() < ratio ? 1 : 0));
  if (ratio > 0 && !mask.some(Boolean)) mask[Math.floor(next() * n)] = 1;
  return mask;
}

const SHAPES: [number, number][] = [[1, 1], [3, 5], [4, 4], [7, 13], [16, 64], [17, 33], [48, 192], [161, 96], [35, 250]];
const RATIOS = [0, 0.25, 0.5, 0.9, 1];

describe('denseMasked, row masks (SIMD path)', () => {
  test.each(SHAPES)('%i×%i matches the reference at every ratio and activation', (rows, cols) => {
    const next = lcg(rows * 7919 + cols);
    const W = randomValues(rows * cols, next);
    const x = randomValues(cols, next);
    const b = randomValues(rows, next);
    const [pW, px, pb, out] = [put(W), put(x), put(b), core.allocF32(rows)];
    for (const ratio of RATIOS) {
      const mask = randomMask(rows, ratio, next);
      const pMask = putMask(mask);
      for (const act of [Activation.none, Activation.relu, Activation.sigmoid, Activation.tanh]) {
        core.f32(out, rows).fill(42);
        wasm.resetCounters();
        wasm.denseMasked(out, pW, px, pb, rows, cols, act, pMask, 0);
        expect(maxAbsDiff(core.f32(out, rows), reference(W, x, b, rows, cols, act, mask, null))).toBeLessThanOrEqual(2e-5);
        const active = mask.reduce((n, m) => n + (m ? 1 : 0), 0);
        expect(wasm.macCount()).toBe(active * cols);
        expect(wasm.weightBytesRead()).toBe(active * cols * 4 + active * 4);
      }
    }
  });
});

describe('denseColsMasked (transposed weights)', () => {
  test.each(SHAPES)('%i×%i matches the reference at every ratio, with and without bias', (rows, cols) => {
    const next = lcg(rows * 104729 + cols);
    const W = randomValues(rows * cols, next);
    const x = randomValues(cols, next);
    const b = randomValues(rows, next);
    const [pWt, px, pb, out] = [put(transpose(W, rows, cols)), put(x), put(b), core.allocF32(rows)];
    for (const ratio of RATIOS) {
      const mask = randomMask(cols, ratio, next);
      const pMask = putMask(mask);
      const active = mask.reduce((n, m) => n + (m ? 1 : 0), 0);
      for (const act of [Activation.none, Activation.relu, Activation.sigmoid, Activation.tanh]) {
        for (const withBias of [true, false]) {
          core.f32(out, rows).fill(42);
          wasm.resetCounters();
          wasm.denseColsMasked(out, pWt, px, withBias ? pb : 0, rows, cols, act, pMask);
          const expected = reference(W, x, withBias ? b : null, rows, cols, act, null, mask);
          expect(maxAbsDiff(core.f32(out, rows), expected)).toBeLessThanOrEqual(2e-5);
          expect(wasm.macCount()).toBe(rows * active);
          expect(wasm.weightBytesRead()).toBe(rows * active * 4 + (withBias ? rows * 4 : 0));
        }
      }
    }
  });

  test('a null mask runs every column and equals dense on the untransposed weights', () => {
    const [rows, cols] = [48, 192];
    const next = lcg(5);
    const W = randomValues(rows * cols, next);
    const x = randomValues(cols, next);
    const b = randomValues(rows, next);
    const [pW, pWt, px, pb] = [put(W), put(transpose(W, rows, cols)), put(x), put(b)];
    const [outDense, outCols] = [core.allocF32(rows), core.allocF32(rows)];
    wasm.dense(outDense, pW, px, pb, rows, cols, Activation.relu);
    wasm.denseColsMasked(outCols, pWt, px, pb, rows, cols, Activation.relu, 0);
    expect(maxAbsDiff(core.f32(outCols, rows), core.f32(outDense, rows))).toBeLessThanOrEqual(2e-5);
  });

  test('never reads a skipped column: NaN weights there leave the output finite and exact', () => {
    const [rows, cols] = [37, 40];
    const next = lcg(9);
    const W = randomValues(rows * cols, next);
    const x = randomValues(cols, next);
    const mask = randomMask(cols, 0.5, next);
    const Wt = transpose(W, rows, cols);
    for (let c = 0; c < cols; c++) if (!mask[c]) Wt.fill(NaN, c * rows, (c + 1) * rows);
    const [pWt, px, pMask, out] = [put(Wt), put(x), putMask(mask), core.allocF32(rows)];
    wasm.denseColsMasked(out, pWt, px, 0, rows, cols, Activation.none, pMask);
    expect(maxAbsDiff(core.f32(out, rows), reference(W, x, null, rows, cols, 0, null, mask))).toBeLessThanOrEqual(2e-5);
  });
});

describe('denseMasked never reads a skipped row', () => {
  test('NaN weights in skipped rows leave active rows exact and skipped rows 0', () => {
    const [rows, cols] = [29, 21];
    const next = lcg(11);
    const W = randomValues(rows * cols, next);
    const x = randomValues(cols, next);
    const mask = randomMask(rows, 0.5, next);
    const poisoned = W.slice();
    for (let r = 0; r < rows; r++) if (!mask[r]) poisoned.fill(NaN, r * cols, (r + 1) * cols);
    const [pW, px, pMask, out] = [put(poisoned), put(x), putMask(mask), core.allocF32(rows)];
    wasm.denseMasked(out, pW, px, 0, rows, cols, Activation.none, pMask, 0);
    expect(maxAbsDiff(core.f32(out, rows), reference(W, x, null, rows, cols, 0, mask, null))).toBeLessThanOrEqual(2e-5);
  });
});

import { Activation, createCore } from '../src/wasm/core.js';

const core = createCore();
const wasm = core.exports;

function randomValues(n: number, seed: number, scale = 1): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = scale * (state / 2 ** 31 - 1);
  }
  return out;
}

/** Copies `values` into freshly allocated WASM memory and returns the pointer. */
function put(values: ArrayLike<number>): number {
  const ptr = core.allocF32(values.length);
  core.writeF32(ptr, values);
  return ptr;
}

function putMask(values: number[]): number {
  const ptr = core.allocU8(values.length);
  core.u8(ptr, values.length).set(values);
  return ptr;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const ACTIVATIONS: ((v: number) => number)[] = [(v) => v, (v) => Math.max(v, 0), sigmoid, Math.tanh];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Reference dense layer with optional row/column masks (skipped rows are 0). */
function denseReference(W: Float32Array, x: Float32Array, bias: Float32Array | null, rows: number, cols: number,
  act: number, rowMask?: number[], colMask?: number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (rowMask && !rowMask[r]) { out.push(0); continue; }
    let s = bias ? bias[r] : 0;
    for (let c = 0; c < cols; c++) if (!colMask || colMask[c]) s += W[r * cols + c] * x[c];
    out.push(ACTIVATIONS[act](s));
  }
  return out;
}

describe('dense', () => {
  test.each([[161, 192], [7, 13], [5, 4], [1, 1], [6, 3], [64, 257]])('dense and denseScalar %i×%i match the reference', (rows, cols) => {
    const W = randomValues(rows * cols, rows * 1000 + cols, 0.2);
    const x = randomValues(cols, 5);
    const b = randomValues(rows, 6);
    const [pW, px, pb, out] = [put(W), put(x), put(b), core.allocF32(rows)];
    for (const act of [Activation.none, Activation.relu, Activation.sigmoid, Activation.tanh]) {
      const expected = denseReference(W, x, b, rows, cols, act);
      wasm.dense(out, pW, px, pb, rows, cols, act);
      expect(maxAbsDiff(core.f32(out, rows), expected)).toBeLessThanOrEqual(1e-5);
      wasm.denseScalar(out, pW, px, pb, rows, cols, act);
      expect(maxAbsDiff(core.f32(out, rows), expected)).toBeLessThanOrEqual(1e-5);
    }
    wasm.dense(out, pW, px, 0, rows, cols, Activation.none);
    expect(maxAbsDiff(core.f32(out, rows), denseReference(W, x, null, rows, cols, 0))).toBeLessThanOrEqual(1e-5);
  });

  test('counts rows·cols MACs and rows·cols·4 + rows·4 weight bytes', () => {
    const [rows, cols] = [37, 19];
    const [pW, px, pb, out] = [core.allocF32(rows * cols), core.allocF32(cols), core.allocF32(rows), core.allocF32(rows)];
    wasm.resetCounters();
    wasm.dense(out, pW, px, pb, rows, cols, 0);
    wasm.denseScalar(out, pW, px, 0, rows, cols, 0);
    expect(wasm.macCount()).toBe(2 * rows * cols);
    expect(wasm.weightBytesRead()).toBe(2 * rows * cols * 4 + rows * 4);
  });

  test('denseMasked skips masked rows and columns and counts only what ran', () => {
    const [rows, cols] = [9, 11];
    const W = randomValues(rows * cols, 77);
    const x = randomValues(cols, 78);
    const b = randomValues(rows, 79);
    const rowMask = [1, 0, 1, 1, 0, 0, 1, 1, 1];
    const colMask = [0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0];
    const [pW, px, pb, out] = [put(W), put(x), put(b), core.allocF32(rows)];
    const [pRows, pCols] = [putMask(rowMask), putMask(colMask)];
    const activeRows = rowMask.filter(Boolean).length;
    const activeCols = colMask.filter(Boolean).length;
    const cases: [number, number, number[] | undefined, number[] | undefined, number, number][] = [
      [pRows, 0, rowMask, undefined, activeRows, cols],
      [0, pCols, undefined, colMask, rows, activeCols],
      [pRows, pCols, rowMask, colMask, activeRows, activeCols],
      [0, 0, undefined, undefined, rows, cols],
    ];
    for (const [rm, cm, rowRef, colRef, r, c] of cases) {
      core.f32(out, rows).fill(42);
      wasm.resetCounters();
      wasm.denseMasked(out, pW, px, pb, rows, cols, Activation.tanh, rm, cm);
      expect(maxAbsDiff(core.f32(out, rows), denseReference(W, x, b, rows, cols, 3, rowRef, colRef))).toBeLessThanOrEqual(1e-5);
      expect(wasm.macCount()).toBe(r * c);
      expect(wasm.weightBytesRead()).toBe(r * c * 4 + r * 4);
    }
  });
});

describe('activations', () => {
  test('sigmoid and tanh stay within 1e-6 of the Math versions', () => {
    const n = 20001;
    const x = Float32Array.from({ length: n }, (_, i) => -20 + (40 * i) / (n - 1));
    const ptr = put(x);
    for (const act of [Activation.sigmoid, Activation.tanh]) {
      core.writeF32(ptr, x);
      wasm.activate(ptr, n, act);
      expect(maxAbsDiff(core.f32(ptr, n), Array.from(x, ACTIVATIONS[act]))).toBeLessThanOrEqual(1e-6);
    }
    const extremes = [-1e30, 1e30, -100, 100, -Infinity];
    core.writeF32(ptr, extremes);
    wasm.activate(ptr, extremes.length, Activation.sigmoid);
    expect(maxAbsDiff(core.f32(ptr, extremes.length), [0, 1, 0, 1, 0])).toBeLessThanOrEqual(1e-30);
    core.writeF32(ptr, extremes);
    wasm.activate(ptr, extremes.length, Activation.tanh);
    expect(Array.from(core.f32(ptr, extremes.length))).toEqual([-1, 1, -1, 1, -1]);
  });
});

describe('gruStep', () => {
  /** PyTorch nn.GRU cell in f64. */
  function gruReference(h: number[], x: Float32Array, Wih: Float32Array, Whh: Float32Array, bih: Float32Array,
    bhh: Float32Array, inSize: number, hidden: number): number[] {
    const gi = denseReference(Wih, x, bih, 3 * hidden, inSize, 0);
    const gh = denseReference(Whh, Float32Array.from(h), bhh, 3 * hidden, hidden, 0);
    return h.map((hv, i) => {
      const r = sigmoid(gi[i] + gh[i]);
      const z = sigmoid(gi[hidden + i] + gh[hidden + i]);
      const n = Math.tanh(gi[2 * hidden + i] + r * gh[2 * hidden + i]);
      return (1 - z) * n + z * hv;
    });
  }

  test.each([[161, 10], [6, 7], [32, 33]])('in %i, hidden %i: several steps match PyTorch maths, counts both matrices', (inSize, hidden) => {
    const Wih = randomValues(3 * hidden * inSize, 11, 0.3);
    const Whh = randomValues(3 * hidden * hidden, 12, 0.3);
    const bih = randomValues(3 * hidden, 13, 0.3);
    const bhh = randomValues(3 * hidden, 14, 0.3);
    const [pWih, pWhh, pbih, pbhh] = [put(Wih), put(Whh), put(bih), put(bhh)];
    const h = core.allocF32(hidden);
    const px = core.allocF32(inSize);
    const scratch = core.allocF32(6 * hidden);
    let expected = new Array<number>(hidden).fill(0);
    wasm.resetCounters();
    for (let step = 0; step < 4; step++) {
      const x = randomValues(inSize, 100 + step);
      core.writeF32(px, x);
      wasm.gruStep(h, px, pWih, pWhh, pbih, pbhh, inSize, hidden, scratch);
      expected = gruReference(expected, x, Wih, Whh, bih, bhh, inSize, hidden);
      expect(maxAbsDiff(core.f32(h, hidden), expected)).toBeLessThanOrEqual(1e-5);
    }
    expect(wasm.macCount()).toBe(4 * 3 * hidden * (inSize + hidden));
    expect(wasm.weightBytesRead()).toBe(4 * (3 * hidden * (inSize + hidden) * 4 + 2 * 3 * hidden * 4));
  });
});

describe('dwConvStep', () => {
  test.each([[8, 3, 2], [5, 1, 4], [6, 4, 1], [3, 2, 5], [19, 3, 3]])('%i channels, kernel %i, dilation %i: causal dilated conv over frames', (channels, kernel, dilation) => {
    const W = randomValues(channels * kernel, 21);
    const b = randomValues(channels, 22);
    const chMask = Array.from({ length: channels }, (_, c) => (c % 7 === 1 ? 0 : 1)); // runs of 6 active
    const tapMajor = Array.from({ length: channels * kernel }, (_, i) => W[(i % channels) * kernel + Math.floor(i / channels)]);
    const [pW, pb, pMask] = [put(tapMajor), put(b), putMask(chMask)];
    const state = core.allocF32(Math.max(1, wasm.dwConvStateLength(channels, kernel, dilation)));
    const px = core.allocF32(channels);
    const out = core.allocF32(channels);
    const frames: Float32Array[] = [];
    const active = chMask.filter(Boolean).length;
    wasm.resetCounters();
    for (let t = 0; t < 12; t++) {
      frames.push(randomValues(channels, 300 + t));
      core.writeF32(px, frames[t]);
      const masked = t % 2 === 1;
      wasm.dwConvStep(out, px, state, pW, pb, channels, kernel, dilation, Activation.relu, masked ? pMask : 0);
      const expected = Array.from({ length: channels }, (_, c) => {
        if (masked && !chMask[c]) return 0;
        let s = b[c];
        for (let j = 0; j < kernel; j++) {
          const past = t - (kernel - 1 - j) * dilation;
          if (past >= 0) s += W[c * kernel + j] * frames[past][c];
        }
        return Math.max(s, 0);
      });
      expect(maxAbsDiff(core.f32(out, channels), expected)).toBeLessThanOrEqual(1e-5);
    }
    const channelSteps = 6 * channels + 6 * active;
    expect(wasm.macCount()).toBe(channelSteps * kernel);
    expect(wasm.weightBytesRead()).toBe(channelSteps * (kernel * 4 + 4));
  });
});

describe('vector, feature and mask kernels', () => {
  test('vecAdd, vecCopy, vecFill on lengths that are not multiples of 4', () => {
    const n = 13;
    const a = randomValues(n, 1);
    const b = randomValues(n, 2);
    const [pa, pb, out] = [put(a), put(b), core.allocF32(n + 1)];
    wasm.vecAdd(out, pa, pb, n);
    expect(maxAbsDiff(core.f32(out, n), Array.from(a, (v, i) => Math.fround(v + b[i])))).toBe(0);
    wasm.vecCopy(out, pa, n);
    expect(Array.from(core.f32(out, n))).toEqual(Array.from(a));
    wasm.vecFill(out, 2.5, n);
    expect(Array.from(core.f32(out, n + 1))).toEqual([...new Array<number>(n).fill(2.5), 0]);
  });

  test('sanitize replaces NaN and ±Infinity with 0 and counts them, and flushes magnitudes below 2^-64', () => {
    const values = [1, NaN, -Infinity, 3.5, Infinity, -0, 1e-40, NaN, -2, 2 ** -70, -(2 ** -60)];
    const ptr = put(values);
    expect(wasm.sanitize(ptr, values.length)).toBe(4);
    expect(Array.from(core.f32(ptr, values.length))).toEqual([1, 0, 0, 3.5, 0, 0, 0, 0, -2, 0, -(2 ** -60)]);
    expect(wasm.sanitize(ptr, values.length)).toBe(0);
  });

  test('logPower and applyMask', () => {
    const bins = 161;
    const spec = randomValues(2 * bins, 9);
    spec[0] = 0;
    spec[1] = 0;
    const mask = randomValues(bins, 10).map(Math.abs);
    const [pSpec, pMask, out] = [put(spec), put(mask), core.allocF32(bins)];
    wasm.logPower(pSpec, out, bins);
    const expected = Array.from({ length: bins }, (_, k) => Math.log10(spec[2 * k] ** 2 + spec[2 * k + 1] ** 2 + 1e-12));
    expect(maxAbsDiff(core.f32(out, bins), expected)).toBeLessThanOrEqual(1e-5);
    wasm.applyMask(pSpec, pMask, bins);
    expect(maxAbsDiff(core.f32(pSpec, 2 * bins), Array.from(spec, (v, i) => v * mask[i >> 1]))).toBeLessThanOrEqual(1e-7);
  });
});

describe('per-hop calls', () => {
  test('analyzeHop and synthesizeHop equal the kernels they chain, and synthesizeHop counts and mutes bad gains', () => {
    const [hop, bins] = [160, 161];
    const [fused, chained] = [wasm.stftCreate(320, hop), wasm.stftCreate(320, hop)];
    const [spectrum, features, out] = [core.allocF32(2 * bins), core.allocF32(bins), core.allocF32(hop)];
    const [spectrum2, features2, out2] = [core.allocF32(2 * bins), core.allocF32(bins), core.allocF32(hop)];
    for (let t = 0; t < 4; t++) {
      const hopIn = put(randomValues(hop, 40 + t));
      wasm.analyzeHop(fused, hopIn, spectrum, features, bins);
      wasm.stftAnalyze(chained, hopIn, spectrum2);
      wasm.logPower(spectrum2, features2, bins);
      expect(Array.from(core.f32(features, bins))).toEqual(Array.from(core.f32(features2, bins)));

      const gains = randomValues(bins, 50 + t).map(Math.abs);
      const bad = t === 2 ? [3, 77, 160] : [];
      const mask = put(gains.map((g, k) => (bad.includes(k) ? [NaN, Infinity, -Infinity][bad.indexOf(k)] : g)));
      expect(wasm.synthesizeHop(fused, spectrum, mask, bins, out)).toBe(bad.length);
      const muted = put(gains.map((g, k) => (bad.includes(k) ? 0 : g)));
      wasm.applyMask(spectrum2, muted, bins);
      wasm.stftSynthesize(chained, spectrum2, out2);
      expect(Array.from(core.f32(out, hop))).toEqual(Array.from(core.f32(out2, hop)));
    }
  });
});

describe('memory', () => {
  test('alloc aligns, zeroes, refuses bad alignments, and views survive memory growth', () => {
    const ptr = wasm.alloc(10, 64);
    expect(ptr % 64).toBe(0);
    expect(wasm.alloc(4, 3)).toBe(0);
    const view = core.f32(core.allocF32(4), 4);
    const before = core.memory.buffer.byteLength;
    const big = core.allocF32(4 << 20);
    expect(core.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(view.length).toBe(0); // detached by the growth
    const fresh = core.f32(big + 4 * ((4 << 20) - 4), 4);
    expect(Array.from(fresh)).toEqual([0, 0, 0, 0]);
    core.writeF32(big, [1, 2]);
    expect(Array.from(core.f32(big, 2))).toEqual([1, 2]);
  });
});

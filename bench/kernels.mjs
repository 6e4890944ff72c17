// Kernel micro-benchmark: GMAC/s of the WASM kernels at the model's layer shapes, the SIMD/scalar
// ratio of dense, and each kernel as a fraction of a measured ceiling (ceilingKernel: f32x4
// multiply-adds on L1-resident data, in the same build); integer GEMV next to f32 dense at the same
// shapes (ratio = f32 time / integer time) and against the integer ceiling (intCeilingKernel). Loads build/core.wasm or
// build/core-relaxed.wasm (run `npm run build:wasm` first).
// Usage: node bench/kernels.mjs [--build simd|relaxed-simd|all] [--json]
//   (or import { benchKernels, benchBothBuilds } and get the rows)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPETITIONS = 7;
const MIN_BATCH_SECONDS = 0.01;
const WARMUP_SECONDS = 0.1; // lets V8 tier the function up from Liftoff to TurboFan

export const BUILD_FILES = { 'simd': 'core.wasm', 'relaxed-simd': 'core-relaxed.wasm' };
// Node 20 runs relaxed SIMD only behind this V8 flag (later versions accept it too).
export const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

export function loadCore(build) {
  const bytes = readFileSync(join(root, 'build', BUILD_FILES[build]));
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
}

/** Allocates `n` f32 filled with small pseudo-random values. */
function randomF32(core, n, seed) {
  const ptr = core.alloc(n * 4, 64);
  const view = new Float32Array(core.memory.buffer, ptr, n);
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    view[i] = (state / 2 ** 32 - 0.5) * 0.1;
  }
  return ptr;
}

/** Allocates `n` pseudo-random bytes (i8 weight codes in [−127, 127]). */
export function randomI8(core, n, seed) {
  const ptr = core.alloc(n, 64);
  const view = new Int8Array(core.memory.buffer, ptr, n);
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    view[i] = (state >>> 24) % 255 - 127;
  }
  return ptr;
}

export function timeBatch(fn, calls) {
  const start = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return (performance.now() - start) / 1000;
}

/** Warms `fn` up, then returns how many calls make a batch of at least MIN_BATCH_SECONDS. */
export function batchSize(fn) {
  let calls = 1;
  for (let warm = 0; warm < WARMUP_SECONDS; warm += timeBatch(fn, calls)) calls *= 2;
  calls = 1;
  while (timeBatch(fn, calls) < MIN_BATCH_SECONDS) calls *= 2;
  return calls;
}

const FASTEST_REPETITIONS = 201;
const FASTEST_BATCH_SECONDS = 0.0005;

/** Fastest seconds per call of each of `fns` over FASTEST_REPETITIONS interleaved short batches. */
function fastest(fns) {
  const calls = fns.map((fn) => {
    batchSize(fn); // warm-up
    let n = 1;
    while (timeBatch(fn, n) < FASTEST_BATCH_SECONDS) n *= 2;
    return n;
  });
  const best = fns.map(() => Infinity);
  for (let i = 0; i < FASTEST_REPETITIONS; i++) {
    fns.forEach((fn, k) => { best[k] = Math.min(best[k], timeBatch(fn, calls[k]) / calls[k]); });
  }
  return best;
}

export const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

const round = (value, digits) => (value === null ? null : Number(value.toFixed(digits)));

/**
 * Measures every kernel family of one build in this process; returns rows
 * `{ build, kernel, shape, gmacs, scalarGmacs, ratio, ceilingFraction, usPerCall }` (null where a
 * figure does not apply, e.g. MACs of the FFT).
 */
export async function benchKernels(build = 'simd') {
  const core = loadCore(build);
  const rows = [];

  // The ceiling (and the scalar baseline) are timed in batches interleaved with each kernel's, so
  // all see the same machine state (the CPU is shared and its clock drifts).
  const ceilingN = 1024; // 4 KB: L1-resident
  const ceilingReps = 64;
  const ceilingData = randomF32(core, ceilingN, 1);
  const runCeiling = () => core.ceilingKernel(ceilingData, ceilingN, ceilingReps);
  const f32Ceiling = { run: runCeiling, calls: batchSize(runCeiling), macs: ceilingN * ceilingReps };
  /** Median seconds per call of each of `fns` and the ceiling's GMAC/s, all batches interleaved. */
  const measure = (fns, ceiling = f32Ceiling) => {
    const calls = fns.map(batchSize);
    const seconds = fns.map(() => []);
    const ceilingSeconds = [];
    for (let i = 0; i < REPETITIONS; i++) {
      fns.forEach((fn, k) => seconds[k].push(timeBatch(fn, calls[k]) / calls[k]));
      ceilingSeconds.push(timeBatch(ceiling.run, ceiling.calls) / ceiling.calls);
    }
    return { seconds: seconds.map(median), ceilingGmacs: ceiling.macs / median(ceilingSeconds) / 1e9 };
  };
  // scalarFn is the baseline (the scalar kernel unless `baseline` names another); ratio = its time
  // over the kernel's. ceilingFraction is against `ceiling` (the f32x4 one unless given).
  const row = (kernel, shape, macs, fn, scalarFn = null, ceiling = f32Ceiling, baseline = undefined) => {
    const { seconds: [seconds, scalarSeconds = null], ceilingGmacs } = measure(scalarFn === null ? [fn] : [fn, scalarFn], ceiling);
    const gmacs = macs === null ? null : macs / seconds / 1e9;
    rows.push({
      build, kernel, shape, ...(baseline === undefined ? {} : { baseline }),
      gmacs: round(gmacs, 3),
      scalarGmacs: scalarSeconds === null ? null : round(macs / scalarSeconds / 1e9, 3),
      ratio: scalarSeconds === null ? null : round(scalarSeconds / seconds, 2),
      ceilingFraction: gmacs === null ? null : round(gmacs / ceilingGmacs, 3),
      usPerCall: round(seconds * 1e6, 3),
    });
  };

  row('ceiling', `${ceilingN} f32 × ${ceilingReps}`, ceilingN * ceilingReps, runCeiling);

  // The last shape holds 4 MB of weights: past a typical L2, it measures weight bandwidth instead.
  for (const [outSize, inSize] of [[161, 192], [192, 192], [576, 192], [256, 256], [256, 161], [400, 400], [1024, 1024]]) {
    const W = randomF32(core, outSize * inSize, 2);
    const x = randomF32(core, inSize, 3);
    const b = randomF32(core, outSize, 4);
    const out = core.alloc(outSize * 4, 64);
    row('dense', `${outSize}×${inSize}`, outSize * inSize, () => core.dense(out, W, x, b, outSize, inSize, 0),
      () => core.denseScalar(out, W, x, b, outSize, inSize, 0));
  }

  {
    const [outSize, inSize] = [256, 256];
    const W = randomF32(core, outSize * inSize, 5);
    const x = randomF32(core, inSize, 6);
    const out = core.alloc(outSize * 4, 64);
    const rowMask = core.alloc(outSize, 64);
    new Uint8Array(core.memory.buffer, rowMask, outSize).forEach((_, i, a) => { a[i] = i % 4 === 0 ? 1 : 0; });
    row('denseMasked', `${outSize}×${inSize}, 25% rows`, (outSize / 4) * inSize,
      () => core.denseMasked(out, W, x, 0, outSize, inSize, 0, rowMask, 0));
  }

  // Gated block of fsenet-dyn (96 → 368 → 96): the expand layer skips rows, the project layer
  // (transposed weights) skips columns; channels drawn at random with the given active share.
  // vsUnmasked = time per call / the unmasked dense's: the fastest of FASTEST_REPETITIONS short
  // interleaved batches of each (on a shared, loaded CPU the fastest batch is the one nobody
  // preempted; medians of 10 ms batches there varied 10x between runs).
  {
    const [channels, width] = [368, 96];
    const W = randomF32(core, channels * width, 30);
    const x = randomF32(core, Math.max(channels, width), 31);
    const b = randomF32(core, Math.max(channels, width), 32);
    const out = core.alloc(Math.max(channels, width) * 4, 64);
    const mask = core.alloc(channels, 64);
    const maskView = new Uint8Array(core.memory.buffer, mask, channels);
    const expand = () => core.dense(out, W, x, b, channels, width, 1);
    const project = () => core.dense(out, W, x, b, width, channels, 0);
    let state = 33;
    for (const share of [1, 0.5, 0.25]) {
      maskView.forEach((_, i, a) => {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        a[i] = state / 2 ** 32 < share ? 1 : 0;
      });
      const active = maskView.reduce((n, m) => n + m, 0);
      const cases = [
        ['denseMasked rows', `${channels}×${width}`, expand, () => core.denseMasked(out, W, x, b, channels, width, 1, mask, 0)],
        ['denseColsMasked', `${width}×${channels}`, project, () => core.denseColsMasked(out, W, x, b, width, channels, 0, mask)],
      ];
      for (const [kernel, shape, unmasked, masked] of cases) {
        const [seconds, unmaskedSeconds, ceilingSeconds] = fastest([masked, unmasked, runCeiling]);
        const ceilingGmacs = (ceilingN * ceilingReps) / ceilingSeconds / 1e9;
        const gmacs = (active * width) / seconds / 1e9;
        rows.push({
          build, kernel, shape: `${shape}, ${active}/${channels} channels`, gmacs: round(gmacs, 3), scalarGmacs: null, ratio: null,
          ceilingFraction: round(gmacs / ceilingGmacs, 3), usPerCall: round(seconds * 1e6, 3),
          vsUnmasked: round(seconds / unmaskedSeconds, 3),
        });
      }
    }
  }

  // Integer GEMV (docs/integer.md: i8 weights, i16 codes) at the model's layer shapes, with f32
  // dense at the same shape as its baseline in the same interleaved batches, and its fraction of
  // the integer ceiling (i32x4.dot_i16x8_s + add on L1-resident data, intCeilingKernel).
  {
    const n = 2048; // 4 KB of i16: L1-resident
    const data = core.alloc(n * 2, 64);
    const run = () => core.intCeilingKernel(data, n, ceilingReps);
    const intCeiling = { run, calls: batchSize(run), macs: n * ceilingReps };
    row('int ceiling', `${n} i16 × ${ceilingReps}`, intCeiling.macs, run, null, intCeiling);
    // fc_in, gru1 (ih and hh), gru2 ih, gru2 hh, fc1 and fc2, exit2.mask; then 4 MB of f32 (1 MB of i8).
    for (const [outSize, inSize] of [[192, 161], [576, 192], [960, 192], [960, 320], [320, 320], [161, 320], [1024, 1024]]) {
      const W8 = randomI8(core, outSize * inSize, 18);
      const x16 = randomI8(core, inSize * 2, 19); // i16 codes (any bits; timing does not depend on them)
      const W = randomF32(core, outSize * inSize, 20);
      const x = randomF32(core, inSize, 21);
      const b = core.alloc(outSize * 4, 64);
      const acc = core.alloc(outSize * 4, 64);
      const out = core.alloc(outSize * 4, 64);
      row('intGemv', `${outSize}×${inSize}`, outSize * inSize, () => core.intGemv(acc, W8, x16, b, outSize, inSize),
        () => core.dense(out, W, x, b, outSize, inSize, 0), intCeiling, 'f32 dense');
    }
  }

  {
    const [inSize, hidden] = [192, 192];
    const Wih = randomF32(core, 3 * hidden * inSize, 7);
    const Whh = randomF32(core, 3 * hidden * hidden, 8);
    const bih = randomF32(core, 3 * hidden, 9);
    const bhh = randomF32(core, 3 * hidden, 10);
    const x = randomF32(core, inSize, 11);
    const h = randomF32(core, hidden, 12);
    const scratch = core.alloc(6 * hidden * 4, 64);
    row('gruStep', `in ${inSize}, hidden ${hidden}`, 3 * hidden * (inSize + hidden),
      () => core.gruStep(h, x, Wih, Whh, bih, bhh, inSize, hidden, scratch));
  }

  {
    const [channels, kernel, dilation] = [256, 3, 4];
    const W = randomF32(core, channels * kernel, 13);
    const b = randomF32(core, channels, 14);
    const x = randomF32(core, channels, 15);
    const state = core.alloc(core.dwConvStateLength(channels, kernel, dilation) * 4, 64);
    const out = core.alloc(channels * 4, 64);
    row('dwConvStep', `${channels} ch, kernel ${kernel}, dilation ${dilation}`, channels * kernel,
      () => core.dwConvStep(out, x, state, W, b, channels, kernel, dilation, 1, 0));
  }

  {
    const plan = core.fftPlan(320);
    const input = randomF32(core, 320, 16);
    const spec = core.alloc(322 * 4, 64);
    row('rfft', '320', null, () => core.rfft(plan, input, spec));
    row('irfft', '320', null, () => core.irfft(plan, spec, input));
    const st = core.stftCreate(320, 160);
    const hop = randomF32(core, 160, 17);
    const hopOut = core.alloc(160 * 4, 64);
    row('stft analyze + synthesize', '320/160, per frame', null, () => {
      core.stftAnalyze(st, hop, spec);
      core.stftSynthesize(st, spec, hopOut);
    });
  }
  return rows;
}

/** Rows of both builds: the SIMD build here, the relaxed one in a child process with relaxed SIMD on. */
export async function benchBothBuilds() {
  const relaxed = execFileSync(process.execPath, [RELAXED_FLAG, fileURLToPath(import.meta.url), '--build', 'relaxed-simd', '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return [...await benchKernels('simd'), ...JSON.parse(relaxed)];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { build: { type: 'string', default: 'all' }, json: { type: 'boolean', default: false } } });
  if (values.build !== 'all' && !(values.build in BUILD_FILES)) throw new Error(`--build must be simd, relaxed-simd or all, got ${values.build}`);
  const rows = values.build === 'all' ? await benchBothBuilds() : await benchKernels(values.build);
  if (values.json) console.log(JSON.stringify(rows));
  else console.table(rows);
}

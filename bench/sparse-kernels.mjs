// Sparse integer kernels against dense int8 (docs/sparsity.md): intGemv vs intCsrGemv vs intBlockGemv
// (4×4) at nsnet-ee's layer shapes, whole dense-int layers (intDense vs a sparse GEMV + requantize)
// and a GRU step (intGruStep vs intGruStepSparse) at its two GRUs, each at 50/75/90/95 % sparsity (random elements or random 4×4 blocks kept at exactly that share).
// The kernels of one case run in interleaved short batches in the same process: `speedup` is dense
// time over sparse time from the fastest batch of each (on a shared, loaded CPU the fastest batch is
// the one nobody preempted), `speedupMedian` the same from the median batches. Layer and GRU rows also
// time, in the same batches, the part that sparsity does not shrink (`fixedUs`: requantize, or
// intGruGates).
// Usage: node bench/sparse-kernels.mjs [--build simd|relaxed-simd|all] [--reps N] [--json]
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BUILD_FILES, RELAXED_FLAG, batchSize, loadCore, median, randomI8, timeBatch } from './kernels.mjs';

const SPARSITIES = [0.5, 0.75, 0.9, 0.95];
// fc_in, gru1 (ih and hh), gru2 ih, gru2 hh, fc1 and fc2, exit2.mask.
const SHAPES = [[192, 161], [576, 192], [960, 192], [960, 320], [320, 320], [161, 320]];
const GRUS = [['gru1', 192, 192], ['gru2', 192, 320]];
const DENSE_LAYERS = [['fc_in', 192, 161, 'relu'], ['fc1', 320, 320, 'relu'], ['exit2.mask', 161, 320, 'sigmoid']];
const ACT = { relu: 1, sigmoid: 2 }; // activations.ts codes
const BATCH_SECONDS = 0.0005;
const FORMAT = { csr: 0, block: 1 }; // SparseMatrix format tags (assembly/int-sparse.ts)

/** A deterministic generator of uniform numbers in [0, 1). */
function uniform(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** `keep` distinct indices of [0, total), ascending (partial Fisher–Yates). */
function pick(total, keep, random) {
  const index = Int32Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < keep; i++) {
    const j = i + Math.floor(random() * (total - i));
    [index[i], index[j]] = [index[j], index[i]];
  }
  return index.subarray(0, keep).sort();
}

function put(core, Type, values) {
  const ptr = core.alloc(Math.max(values.length, 1) * Type.BYTES_PER_ELEMENT, 64);
  new Type(core.memory.buffer, ptr, values.length).set(values);
  return ptr;
}

/**
 * The lane fields (lanePow, laneRuns) of a record whose `rows` shifts, `units` per gate, are all 40
 * (assembly/int-params.ts, requant-lanes.ts): powers 1 and one run, shift 7 and spread 0 per gate.
 */
function lanes(core, rows, units) {
  const gates = rows / units;
  return [put(core, Int32Array, new Array(rows).fill(1)), put(core, Int32Array, [units & ~3, ...new Array(gates).fill([7, 0]).flat()])];
}

/**
 * A random sparse matrix in a kernel layout (assembly/int-sparse.ts) with a share `1 − sparsity` of
 * its units (elements, or 4×4 grid blocks) kept: { rowPtr, index, values, record, macs }.
 */
function sparseMatrix(core, format, rows, cols, sparsity, seed) {
  const [unitRows, unitCols, width] = format === 'csr' ? [rows, cols, 1] : [Math.ceil(rows / 4), Math.ceil(cols / 4), 4];
  const kept = pick(unitRows * unitCols, Math.round((1 - sparsity) * unitRows * unitCols), uniform(seed));
  const rowPtr = new Int32Array(unitRows + 1);
  kept.forEach((u) => { rowPtr[Math.floor(u / unitCols) + 1]++; });
  for (let r = 0; r < unitRows; r++) rowPtr[r + 1] += rowPtr[r];
  const index = Array.from(kept, (u) => Math.min((u % unitCols) * width, cols - width));
  const values = randomI8(core, kept.length * width * width, seed + 1);
  const parts = { rowPtr: put(core, Int32Array, rowPtr), index: put(core, Uint16Array, index), values };
  return { ...parts, record: put(core, Int32Array, [FORMAT[format], parts.rowPtr, parts.index, values]), macs: kept.length * width * width };
}

/** Fastest and median seconds per call of each of `fns`, over `reps` interleaved short batches. */
function interleaved(fns, reps) {
  const calls = fns.map((fn) => {
    batchSize(fn); // warm-up
    let n = 1;
    while (timeBatch(fn, n) < BATCH_SECONDS) n *= 2;
    return n;
  });
  const seconds = fns.map(() => []);
  for (let i = 0; i < reps; i++) fns.forEach((fn, k) => seconds[k].push(timeBatch(fn, calls[k]) / calls[k]));
  return { best: seconds.map((s) => Math.min(...s)), median: seconds.map(median) };
}

const round = (value, digits) => Number(value.toFixed(digits));

/**
 * One row per (kernel family, shape, sparsity): dense µs per call, each sparse kernel's µs and
 * speed-ups, and the fixed part's µs where `timing` has one more entry than the kernels.
 */
function row(build, layer, shape, sparsity, denseMacs, sparse, timing) {
  const out = { build, layer, shape, sparsity, denseUs: round(timing.best[0] * 1e6, 2) };
  if (timing.best.length > sparse.length + 1) out.fixedUs = round(timing.best[sparse.length + 1] * 1e6, 2);
  sparse.forEach(({ name, macs }, k) => {
    out[`${name}MacShare`] = round(macs / denseMacs, 3);
    out[`${name}Us`] = round(timing.best[k + 1] * 1e6, 2);
    out[`${name}Speedup`] = round(timing.best[0] / timing.best[k + 1], 2);
    out[`${name}SpeedupMedian`] = round(timing.median[0] / timing.median[k + 1], 2);
  });
  return out;
}

/** All rows of one build, measured in this process. */
export function benchSparse(build = 'simd', reps = 41) {
  const core = loadCore(build);
  const rows = [];
  for (const [outSize, inSize] of SHAPES) {
    const W = randomI8(core, outSize * inSize, 2);
    const x = randomI8(core, inSize * 2, 3); // i16 codes (timing does not depend on their values)
    const bias = core.alloc(outSize * 4, 64);
    const acc = core.alloc(outSize * 4, 64);
    for (const sparsity of SPARSITIES) {
      const csr = sparseMatrix(core, 'csr', outSize, inSize, sparsity, 4);
      const block = sparseMatrix(core, 'block', outSize, inSize, sparsity, 5);
      const timing = interleaved([
        () => core.intGemv(acc, W, x, bias, outSize, inSize),
        () => core.intCsrGemv(acc, csr.values, csr.index, csr.rowPtr, x, bias, outSize),
        () => core.intBlockGemv(acc, block.values, block.index, block.rowPtr, x, bias, outSize),
      ], reps);
      rows.push(row(build, 'gemv', `${outSize}×${inSize}`, sparsity, outSize * inSize,
        [{ name: 'csr', macs: csr.macs }, { name: 'block', macs: block.macs }], timing));
    }
  }
  for (const [name, outSize, inSize, act] of DENSE_LAYERS) {
    const W = randomI8(core, outSize * inSize, 30);
    const x = randomI8(core, inSize * 2, 31);
    const bias = core.alloc(outSize * 4, 64);
    const out = core.alloc(outSize * 2, 64);
    const scratch = core.alloc(outSize * 4, 64);
    // IntDenseParams (assembly/int-params.ts): zero multipliers, a zero table, shifts 40 in the lane form
    // the engine builds for them (requant-lanes.ts, as for nsnet-ee's); the timing does not depend on the values.
    const params = put(core, Int32Array, [core.alloc(outSize * 4, 64), put(core, Int32Array, new Array(outSize).fill(40)),
      ACT[act], 8, 16, 10, core.alloc(4 << 10, 64), scratch, ...lanes(core, outSize, outSize)]);
    for (const sparsity of SPARSITIES) {
      const sparse = ['csr', 'block'].map((format, k) => ({ name: format, ...sparseMatrix(core, format, outSize, inSize, sparsity, 40 + k) }));
      const timing = interleaved([
        () => core.intDense(out, W, x, bias, outSize, inSize, params),
        ...sparse.map((m) => () => {
          core.intSparseGemv(scratch, m.record, x, bias, outSize);
          core.requantize(out, scratch, outSize, params);
        }),
        () => core.requantize(out, scratch, outSize, params),
      ], reps);
      rows.push(row(build, `${name} layer`, `${outSize}×${inSize} ${act}`, sparsity, outSize * inSize, sparse, timing));
    }
  }
  for (const [name, inSize, hidden] of GRUS) {
    const gates = 3 * hidden;
    const table = core.alloc(4 << 10, 64);
    // IntGruParams (assembly/int-params.ts): zero multipliers and tables, shifts 40 in the lane form; the
    // timing does not depend on the values.
    const params = put(core, Int32Array, [core.alloc(6 * hidden * 4, 64), put(core, Int32Array, new Array(6 * hidden).fill(40)),
      table, table, table, 16, 16, 16, 10, 10, 10, 8, 8, 8, 8, core.alloc(6 * hidden * 4, 64), ...lanes(core, 6 * hidden, hidden)]);
    const [Wih, Whh] = [randomI8(core, gates * inSize, 6), randomI8(core, gates * hidden, 7)];
    const [bih, bhh] = [core.alloc(gates * 4, 64), core.alloc(gates * 4, 64)];
    const x = randomI8(core, inSize * 2, 8);
    const h = core.alloc(hidden * 2, 64);
    for (const sparsity of SPARSITIES) {
      const sparse = ['csr', 'block'].map((format, k) => {
        const ih = sparseMatrix(core, format, gates, inSize, sparsity, 10 + k);
        const hh = sparseMatrix(core, format, gates, hidden, sparsity, 20 + k);
        return { name: format, macs: ih.macs + hh.macs, ih: ih.record, hh: hh.record };
      });
      const timing = interleaved([
        () => core.intGruStep(h, x, Wih, Whh, bih, bhh, inSize, hidden, params),
        ...sparse.map((m) => () => core.intGruStepSparse(h, x, m.ih, m.hh, bih, bhh, hidden, params)),
        () => core.intGruGates(h, hidden, params),
      ], reps);
      rows.push(row(build, `${name} step`, `in ${inSize}, hidden ${hidden}`, sparsity, gates * (inSize + hidden), sparse, timing));
    }
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: {
    build: { type: 'string', default: 'all' }, reps: { type: 'string', default: '41' }, json: { type: 'boolean', default: false },
  } });
  if (values.build !== 'all' && !(values.build in BUILD_FILES)) throw new Error(`--build must be simd, relaxed-simd or all, got ${values.build}`);
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${values.reps}`);
  let rows;
  if (values.build === 'all') {
    const relaxed = execFileSync(process.execPath, [RELAXED_FLAG, fileURLToPath(import.meta.url), '--build', 'relaxed-simd', '--reps', String(reps), '--json'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    rows = [...benchSparse('simd', reps), ...JSON.parse(relaxed)];
  } else rows = benchSparse(values.build, reps);
  if (values.json) console.log(JSON.stringify(rows));
  else console.table(rows);
}

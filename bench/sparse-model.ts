// Whole-model timing of sparse integer layers (issue 15, docs/sparsity.md, "Engine"): an integer
// model (dense-int / gru-int, int8 weights) against copies of it whose weight matrices are
// magnitude-pruned in 4×4 grid blocks (mean |code| per block, each matrix to the same share) and
// stored block-sparse [4, 4], which the engine runs with the 4×4 kernel. Variants: every layer
// pruned at each sparsity, and at the highest sparsity only the GRU layers or only the dense layers
// (what each layer kind contributes). Per exit, frames of random log-power features run through
// `engine.run` from one state per variant, interleaved round by round (bench/lib/frame-timing.mjs);
// per variant the median CPU µs per frame, its ratio to the dense model in the same run, and the
// MACs per frame the kernels counted.
// Usage: node --import ./tests/fuzz/register-ts.mjs bench/sparse-model.ts INT.thm
//   [--sparsity 0.9,0.95] [--frames 200] [--rounds 15] [--build simd|relaxed-simd] [--json]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/engine/engine.js';
import { toSparse } from '../src/model/encode-dense.js';
import type { TensorData } from '../src/model/encode-tensor.js';
import { intBits } from '../src/model/encodings.js';
import { readModel } from '../src/model/read.js';
import type { IntLayerSpec, Model } from '../src/model/types.js';
import { writeModel } from '../src/model/write.js';
import { createCore } from '../src/wasm/core.js';
import { timeModelFrames } from './lib/frame-timing.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sparsity: { type: 'string', default: '0.9,0.95' },
    frames: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '15' },
    build: { type: 'string', default: 'simd' },
    json: { type: 'boolean', default: false },
  },
});
if (positionals.length !== 1) throw new Error('usage: bench/sparse-model.ts INT.thm [--sparsity 0.9,0.95] [--frames N] [--rounds N] [--build B] [--json]');
const base = readModel(new Uint8Array(readFileSync(positionals[0])));
const sparsities = values.sparsity.split(',').map(Number);
const frames = Number(values.frames);
const rounds = Number(values.rounds);

const intLayers = base.header.layers.filter((l): l is IntLayerSpec => l.op === 'dense-int' || l.op === 'gru-int');
const weightsOf = (l: IntLayerSpec): string[] => (l.op === 'dense-int' ? [l.weight] : Object.values(l.weights));

/** `codes` [rows, cols] with all but the (1 − sparsity) share of its 4×4 grid blocks (largest mean |code|) zeroed. */
function pruneBlocks(codes: Int8Array, rows: number, cols: number, sparsity: number): Int8Array {
  const gr = Math.ceil(rows / 4);
  const gc = Math.ceil(cols / 4);
  const score = new Float64Array(gr * gc);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) score[(r >> 2) * gc + (c >> 2)] += Math.abs(codes[r * cols + c]);
  }
  for (let g = 0; g < gr; g++) {
    for (let C = 0; C < gc; C++) score[g * gc + C] /= (Math.min(4, rows - 4 * g) * Math.min(4, cols - 4 * C));
  }
  const order = [...score.keys()].sort((a, b) => score[b] - score[a]);
  const keep = new Uint8Array(score.length);
  for (const i of order.slice(0, Math.round((1 - sparsity) * score.length))) keep[i] = 1;
  return codes.map((q, i) => (keep[(Math.floor(i / cols) >> 2) * gc + ((i % cols) >> 2)] ? q : 0));
}

/** The tensors of `model` as writeModel input, with the weights of `pruned` layers block-sparse at `sparsity`. */
function variant(model: Model, pruned: Set<string>, sparsity: number): Uint8Array {
  const sparseWeights = new Set(intLayers.filter((l) => pruned.has(l.name)).flatMap(weightsOf));
  const tensors: Record<string, TensorData> = {};
  for (const spec of model.header.tensors) {
    const shape = [...spec.shape];
    if (spec.dtype !== 'f32' && spec.dtype !== 'i32' && intBits(spec.dtype) === undefined) throw new Error(`${spec.name}: a dense integer model expected`);
    if (spec.dtype === 'i32') tensors[spec.name] = { dtype: 'i32', shape, data: model.int32(spec.name) };
    else if (spec.dtype === 'f32') tensors[spec.name] = { shape, data: model.tensor(spec.name) };
    else if (!sparseWeights.has(spec.name)) {
      tensors[spec.name] = { dtype: spec.dtype as 'int8', shape, codes: model.intCodes(spec.name), scale: spec.scale! };
    } else {
      const [rows, cols] = shape;
      const codes = pruneBlocks(model.intCodes(spec.name), rows, cols, sparsity);
      tensors[spec.name] = { dtype: 'block-sparse', shape: [rows, cols], valueDtype: spec.dtype as 'int8', indexBits: 16,
        block: [4, 4], ...toSparse(codes, [rows, cols], [4, 4]), scale: spec.scale! };
    }
  }
  const { tensors: _, ...header } = model.header;
  return writeModel({ ...header, name: `${header.name}-blocks` }, tensors);
}

const all = new Set(intLayers.map((l) => l.name));
const grus = new Set(intLayers.filter((l) => l.op === 'gru-int').map((l) => l.name));
const denses = new Set(intLayers.filter((l) => l.op === 'dense-int').map((l) => l.name));
const top = Math.max(...sparsities);
const variants: { name: string; bytes: Uint8Array }[] = [
  { name: 'dense int8', bytes: base.bytes },
  ...sparsities.map((s) => ({ name: `all ${100 * s} %`, bytes: variant(base, all, s) })),
  { name: `GRU only ${100 * top} %`, bytes: variant(base, grus, top) },
  { name: `dense only ${100 * top} %`, bytes: variant(base, denses, top) },
];

const { load, rows: timed } = timeModelFrames({ createCore, createEngine, build: values.build },
  variants.map((v) => ({ name: v.name, model: readModel(v.bytes) })), { frames, rounds });
const rows = timed.map((t, v) => ({
  variant: t.name, fileBytes: variants[v].bytes.length, weightBytes: t.weightBytes,
  exits: t.exits.map((x, i) => ({
    ...x, speedup: timed[0].exits[i].microsPerFrame / x.microsPerFrame, macShare: x.macsPerFrame / timed[0].exits[i].macsPerFrame,
  })),
}));
if (values.json) {
  console.log(JSON.stringify({ model: base.header.name, build: values.build, frames, rounds, load, rows }, null, 2));
} else {
  console.log(`${base.header.name}, ${values.build} build, ${frames} frames × ${rounds} interleaved rounds (median), load average ${load.map((l) => l.toFixed(1)).join(' → ')}`);
  for (const row of rows) {
    console.log(`${row.variant.padEnd(18)} file ${row.fileBytes} B, held ${row.weightBytes} B`);
    for (const x of row.exits) {
      console.log(`  ${x.exit.padEnd(6)} ${x.microsPerFrame.toFixed(1).padStart(8)} CPU µs/frame  ${x.speedup.toFixed(2)}× dense`
        + `  MACs ${x.macsPerFrame.toFixed(0)} (${(100 * x.macShare).toFixed(1)} %)`);
    }
  }
}

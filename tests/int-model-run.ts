/**
 * Runs the integer golden model (training/quant/make_int_model_golden.py; argv[3] names another golden
 * fixture of the same form, e.g. 'int-sparse-model') through the engine in one
 * WASM build (argv[2]: 'simd' or 'relaxed-simd') and prints, as JSON, how many mask and speech
 * values differ from the Python integer reference, plus telemetry and layerOutput checks. A child
 * process of tests/int-model.test.ts (the relaxed build needs a V8 flag on Node 20):
 *   node [--experimental-wasm-relaxed-simd] --import ./tests/fuzz/register-ts.mjs tests/int-model-run.ts simd [fixture]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../src/engine/engine.js';
import type { Engine, EngineState } from '../src/engine/types.js';
import { readModel } from '../src/model/read.js';
import { createCore, type CoreBuild } from '../src/wasm/core.js';

interface Golden {
  features: number[][];
  exits: { masks: number[][]; presence: number[] }[];
  alternating: number[][];
  alternatingReset: number[][];
}

const DIR = join(process.cwd(), 'tests', 'fixtures', 'golden');
const core = createCore(process.argv[2] as CoreBuild);
const fixture = process.argv[3] ?? 'int-model';
const model = readModel(new Uint8Array(readFileSync(join(DIR, `${fixture}.thm`))));
const golden = JSON.parse(readFileSync(join(DIR, `${fixture}.json`), 'utf8')) as Golden;
const engine: Engine = createEngine(core, model);
const bins = engine.bins;
const features = core.allocF32(bins);
const mask = core.allocF32(bins);
const differ = (got: ArrayLike<number>, want: number[]): number => want.reduce((n, v, i) => n + (got[i] !== v ? 1 : 0), 0);

/** Runs frame t through `exit`; returns how many mask bins differ from `want`. */
function frame(state: EngineState, t: number, exit: number, want: number[]): number {
  core.writeF32(features, golden.features[t]);
  engine.run(state, features, mask, { exit });
  return differ(core.f32(mask, bins), want);
}

const results: Record<string, number> = {};
golden.exits.forEach((g, e) => {
  const state = engine.createState();
  let masks = 0;
  let presence = 0;
  let layerOutput = 0;
  g.masks.forEach((want, t) => {
    masks += frame(state, t, e, want);
    presence += engine.speechProbability(state) === g.presence[t] ? 0 : 1;
    layerOutput += differ(engine.layerOutput(state, model.header.exits[e].output), want);
  });
  results[`exit ${e} masks`] = masks;
  results[`exit ${e} presence`] = presence;
  results[`exit ${e} layerOutput`] = layerOutput;
});

// Frame t takes exit t % 2: the held GRU state of the skipped frames, and with skippedState 'reset'
// (the layers of exit 1 only, gru2 among them, restart from zero).
{
  const state = engine.createState();
  results.alternating = golden.alternating.reduce((n, want, t) => n + frame(state, t, t % 2, want), 0);
  const resetting = createEngine(core, model, { skippedState: 'reset' });
  const s = resetting.createState();
  results['alternating, reset'] = golden.alternatingReset.reduce((n, want, t) => {
    core.writeF32(features, golden.features[t]);
    resetting.run(s, features, mask, { exit: t % 2 });
    return n + differ(core.f32(mask, bins), want);
  }, 0);
}

// run exit 0 then extend to exit 1 = run exit 1; after a reset the stream starts over.
{
  const state = engine.createState();
  let wrong = 0;
  for (let pass = 0; pass < 2; pass++) {
    golden.features.forEach((_, t) => {
      wrong += frame(state, t, 0, golden.exits[0].masks[t]);
      engine.extend(state, mask, 0, { exit: 1 });
      wrong += differ(core.f32(mask, bins), golden.exits[1].masks[t]);
    });
    engine.resetState(state);
  }
  results['run + extend, reset'] = wrong;
}

// Telemetry: one frame of each exit counts its MACs and the i8 weight plus i32 bias bytes it read.
const telemetry = golden.exits.map((_, e) => {
  const state = engine.createState();
  core.exports.resetCounters();
  frame(state, 0, e, golden.exits[e].masks[0]);
  return { macs: core.exports.macCount(), bytes: core.exports.weightBytesRead() };
});

process.stdout.write(JSON.stringify({ results, telemetry, weightBytes: engine.weightBytes }));

/**
 * Per-frame CPU time of several models in one process (docs/sparsity.md, "Measured: nsnet-ee,
 * whole frames"): per exit, frames of random log-power features run through `engine.run` from one
 * state per model; models interleave round by round (a shared machine's drift spreads over all of
 * them); per model and exit the median CPU µs per frame of this process (which other jobs on a
 * busy machine do not inflate, as they do wall time) and the MACs per frame the kernels counted.
 * The engine comes from the sources (the built API does not expose it): callers pass `createCore`
 * and `createEngine` of src/wasm/core.ts and src/engine/engine.ts.
 */
import { loadavg } from 'node:os';
import { median } from './timing.mjs';

/**
 * Times `models` (read models with the same feature size) through every exit of each.
 * @param {{ createCore: Function, createEngine: Function, build?: string }} engineApi
 * @param {{ name: string, model: object }[]} models
 * @param {{ frames: number, rounds: number }} options
 * @returns {{ load: number[], rows: { name: string, weightBytes: number,
 *   exits: { exit: string, microsPerFrame: number, macsPerFrame: number }[] }[] }}
 *   `load`: the 1-minute load average before and after
 */
export function timeModelFrames({ createCore, createEngine, build = 'simd' }, models, { frames, rounds }) {
  const core = createCore(build);
  const bins = models[0].model.header.features.bins;
  const features = core.allocF32(bins * frames);
  const mask = core.allocF32(bins);
  let seed = 12345;
  const random = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
  core.writeF32(features, Float32Array.from({ length: bins * frames }, () => -6 + 6 * random()));
  const engines = models.map(({ name, model }) => {
    if (model.header.features.bins !== bins) throw new Error(`${name}: ${model.header.features.bins} feature bins, not ${bins}`);
    const engine = createEngine(core, model);
    return { name, engine, state: engine.createState(), exits: model.header.exits };
  });

  /** CPU µs per frame of `frames` frames through `exit`, and MACs per frame. */
  const pass = (e, exit) => {
    e.engine.resetState(e.state);
    core.exports.resetCounters();
    const cpu = process.cpuUsage();
    for (let t = 0; t < frames; t++) e.engine.run(e.state, features + 4 * bins * t, mask, { exit });
    const { user, system } = process.cpuUsage(cpu);
    return { micros: (user + system) / frames, macs: core.exports.macCount() / frames };
  };

  const load = [loadavg()[0]];
  for (const e of engines) for (let x = 0; x < e.exits.length; x++) pass(e, x); // warm-up: V8 tiers the kernels up
  const times = engines.map((e) => e.exits.map(() => []));
  const macs = engines.map((e) => e.exits.map(() => 0));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < engines.length; i++) {
      const v = (i + round) % engines.length;
      for (let x = 0; x < engines[v].exits.length; x++) {
        const r = pass(engines[v], x);
        times[v][x].push(r.micros);
        macs[v][x] = r.macs;
      }
    }
  }
  load.push(loadavg()[0]);
  return {
    load,
    rows: engines.map((e, v) => ({
      name: e.name,
      weightBytes: e.engine.weightBytes,
      exits: e.exits.map((exit, x) => ({ exit: exit.name, microsPerFrame: median(times[v][x]), macsPerFrame: macs[v][x] })),
    })),
  };
}

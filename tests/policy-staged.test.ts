/**
 * Staged execution (run a cheap exit, then continue to a deeper one) and the state of skipped
 * layers ('hold' vs 'reset'), at the engine level on the golden GRU model.
 */
import { createEngine } from '../src/engine/engine.js';
import type { Engine, EngineState } from '../src/engine/types.js';
import { createCore, type Core } from '../src/wasm/core.js';
import { loadGolden } from './engine-fixtures.js';

const golden = loadGolden('gru');
const FULL = golden.model.header.exits.length - 1;

function features(frame: number): Float32Array {
  return Float32Array.from({ length: 161 }, (_, k) => -5 + 2 * Math.sin(0.21 * frame + 0.13 * k) + Math.cos(0.9 * frame * k));
}

/** One engine on its own core, with a features and a mask buffer. */
function rig(skippedState?: 'hold' | 'reset') {
  const core: Core = createCore();
  const engine: Engine = createEngine(core, golden.model, skippedState === undefined ? {} : { skippedState });
  const feat = core.allocF32(161);
  const mask = core.allocF32(161);
  const state: EngineState = engine.createState();
  const counted = (f: () => void): number => {
    const before = core.exports.macCount();
    f();
    return core.exports.macCount() - before;
  };
  return {
    engine,
    /** Runs frame `t` through `exit` (extending from `first` when given); returns a copy of the mask and the MACs it ran. */
    frame(t: number, exit: number, first?: number): { mask: Float32Array; macs: number } {
      core.writeF32(feat, features(t));
      const macs = counted(() => {
        engine.run(state, feat, mask, { exit: first ?? exit });
        if (first !== undefined) engine.extend(state, mask, first, { exit });
      });
      return { mask: core.f32(mask, 161).slice(), macs };
    },
  };
}

/** MACs of the layers an exit lists that the full exit does not (its side-branch head). */
function headMacs(exit: number): number {
  const { layers, exits } = golden.model.header;
  const full = new Set(exits[FULL].layers);
  return layers.filter((l) => exits[exit].layers.includes(l.name) && !full.has(l.name))
    .reduce((sum, l) => sum + (l.op === 'dense' ? l.in * l.out : Number.NaN), 0);
}

test('exit 0 then continue to the full exit gives bit-identical masks to the full exit run directly, counting only what ran', () => {
  const direct = rig();
  const staged = rig();
  // Same exit history in both: cheap frames (the deep GRU held) and deep frames, direct vs staged.
  for (let t = 0; t < 120; t++) {
    const deep = t % 30 >= 12;
    const a = direct.frame(t, deep ? FULL : 0);
    const b = staged.frame(t, deep ? FULL : 0, deep ? 0 : undefined);
    expect(b.mask).toEqual(a.mask);
    expect(b.macs).toBe(deep ? a.macs + headMacs(0) : a.macs);
  }
  expect(headMacs(0)).toBeGreaterThan(0);
  expect(direct.frame(200, FULL).mask).not.toEqual(direct.frame(201, 0).mask);
});

test('every continuation (exit a → exit b) matches running exit b directly', () => {
  for (let from = 0; from <= FULL; from++) {
    for (let to = 0; to <= FULL; to++) {
      const direct = rig();
      const staged = rig();
      for (let t = 0; t < 8; t++) expect(staged.frame(t, to, from).mask).toEqual(direct.frame(t, to).mask);
    }
  }
});

test("'reset' zeroes a skipped layer's state when it resumes; 'hold' keeps it; without skips both agree", () => {
  const hold = rig('hold');
  const reset = rig('reset');
  const fresh = rig('hold'); // never ran the deep GRU before frame 20: its state is zero there
  expect(hold.engine.skippedState).toBe('hold');
  expect(reset.engine.skippedState).toBe('reset');
  expect(rig().engine.skippedState).toBe('hold'); // the model file's rule
  const schedule = (t: number): number => (t < 10 || t >= 20 ? FULL : 0);
  for (let t = 0; t < 25; t++) {
    const h = hold.frame(t, schedule(t));
    const r = reset.frame(t, schedule(t));
    const f = fresh.frame(t, t < 20 ? 0 : FULL);
    if (t < 20) expect(r.mask).toEqual(h.mask);
    if (t === 20) {
      expect(r.mask).toEqual(f.mask);
      expect(r.mask).not.toEqual(h.mask);
    }
  }
});

test('extend checks its exits and needs a frame to continue', () => {
  const core = createCore();
  const engine = createEngine(core, golden.model);
  const state = engine.createState();
  const mask = core.allocF32(161);
  expect(() => engine.extend(state, mask, 0, { exit: FULL })).toThrow(/call run first/);
  engine.run(state, core.allocF32(161), mask, { exit: 0 });
  expect(() => engine.extend(state, mask, 0, { exit: FULL + 1 })).toThrow(/exit 3 does not exist; this model has exits 0…2/);
  expect(() => engine.extend(state, mask, -1, { exit: FULL })).toThrow(/exit -1 does not exist/);
});

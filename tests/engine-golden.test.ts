/** The WASM engine against the PyTorch reference interpreter (training/reference.py). */
import { createEngine } from '../src/engine/engine.js';
import type { Decision } from '../src/engine/types.js';
import { createCore } from '../src/wasm/core.js';
import { loadGolden, maxAbsDiff, type Golden, type GoldenRun } from './engine-fixtures.js';

const TOLERANCE = 1e-4;
const BINS = 161;

/** Runs the golden input hop by hop through core STFT + engine; returns masks, enhanced and MACs. */
function runEngine(golden: Golden, exit: number, gateMasks?: number[][]) {
  const core = createCore();
  const k = core.exports;
  const engine = createEngine(core, golden.model);
  const state = engine.createState();
  const st = k.stftCreate(2 * golden.hop, golden.hop);
  const hop = core.allocF32(golden.hop);
  const spec = core.allocF32(2 * BINS);
  const features = core.allocF32(BINS);
  const mask = core.allocF32(BINS);
  const decision: Decision = { exit };
  if (gateMasks) {
    decision.gateMasks = gateMasks.map((m) => {
      const ptr = core.allocU8(m.length);
      core.u8(ptr, m.length).set(m);
      return ptr;
    });
  }
  const masks: Float32Array[] = [];
  const enhanced = new Float32Array(golden.input.length);
  k.resetCounters();
  for (let t = 0; t * golden.hop < golden.input.length; t++) {
    core.writeF32(hop, golden.input.subarray(t * golden.hop, (t + 1) * golden.hop));
    k.stftAnalyze(st, hop, spec);
    k.logPower(spec, features, BINS);
    engine.run(state, features, mask, decision);
    masks.push(core.f32(mask, BINS).slice());
    k.applyMask(spec, mask, BINS);
    k.stftSynthesize(st, spec, hop);
    enhanced.set(core.f32(hop, golden.hop), t * golden.hop);
  }
  return { masks, enhanced, macs: k.macCount(), engine };
}

function expectMatches(result: ReturnType<typeof runEngine>, expected: GoldenRun): void {
  expect(result.masks.length).toBe(expected.masks.length);
  const worst = Math.max(...result.masks.map((m, t) => maxAbsDiff(m, expected.masks[t])));
  expect(worst).toBeLessThanOrEqual(TOLERANCE);
  expect(maxAbsDiff(result.enhanced, expected.enhanced)).toBeLessThanOrEqual(TOLERANCE);
}

describe.each(['gru', 'conv'] as const)('%s golden model', (kind) => {
  const golden = loadGolden(kind);

  test.each(golden.exits.map((_, i) => i))('exit %i: masks and enhanced waveform match PyTorch', (exit) => {
    const result = runEngine(golden, exit);
    expectMatches(result, golden.exits[exit]);
    const frames = golden.input.length / golden.hop;
    expect(result.macs).toBe(golden.macsPerFrame[exit] * frames);
    expect(result.engine.exits[exit].macsPerFrame).toBe(golden.macsPerFrame[exit]);
  });
});

test('conv golden model with gated channels: matches PyTorch and counts only the channels that ran', () => {
  const golden = loadGolden('conv');
  const gated = golden.gated!;
  const result = runEngine(golden, 0, gated.gateMasks);
  expectMatches(result, gated);
  const frames = golden.input.length / golden.hop;
  expect(result.macs).toBe(gated.macsPerFrame * frames);
  expect(gated.macsPerFrame).toBeLessThan(golden.macsPerFrame[0]);
});

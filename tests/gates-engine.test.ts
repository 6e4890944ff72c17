/**
 * Gate decisions in the engine against training/gates.py (GatedInterpreter), on the fixture of
 * tests/fixtures/gates/make.py: at ratios 0.25, 0.5 and 1.0 every frame runs exactly the channels
 * the reference ran (the fixture keeps every decision logit at least 1e-3 from 0, so f32 rounding
 * cannot flip one), executes exactly its MACs, and gives its mask within 1e-5 (f32 sums in another
 * order, SIMD against PyTorch).
 */
import { createEngine } from '../src/engine/engine.js';
import { describeModel } from '../src/model/describe.js';
import { createCore } from '../src/wasm/core.js';
import { maxAbsDiff } from './engine-fixtures.js';
import { BINS, loadGateFixture } from './gates-fixture.js';

const fixture = loadGateFixture();
const MASK_TOLERANCE = 1e-5;

function runAt(ratio: number, gateMasks?: number[]) {
  const core = createCore();
  const engine = createEngine(core, fixture.model);
  const state = engine.createState();
  expect(engine.setGateRatio(state, ratio)).toBe(ratio);
  const [feat, mask] = [core.allocF32(BINS), core.allocF32(BINS)];
  const frames = fixture.features.map((features) => {
    core.writeF32(feat, features);
    const before = core.exports.macCount();
    engine.run(state, feat, mask, { exit: 0, ...(gateMasks && { gateMasks }) });
    return {
      mask: core.f32(mask, BINS).slice(), macs: core.exports.macCount() - before,
      active: engine.gates.map((_, g) => engine.activeChannels(state, g)),
    };
  });
  return { core, engine, frames };
}

test.each(fixture.runs.map((run) => [run.ratio, run] as const))('ratio %s: the reference\'s channels, MACs and masks', (ratio, run) => {
  const { frames } = runAt(ratio);
  frames.forEach((frame, t) => {
    expect(frame.active).toEqual(run.activeChannels[t]);
    expect(frame.macs).toBe(run.macsPerFrame[t]);
    expect(maxAbsDiff(frame.mask, run.masks[t])).toBeLessThanOrEqual(MASK_TOLERANCE);
  });
});

test('executed MACs fall with the ratio', () => {
  const total = (ratio: number) => runAt(ratio).frames.reduce((sum, f) => sum + f.macs, 0);
  const [quarter, half, full] = [total(0.25), total(0.5), total(1)];
  expect(quarter).toBeLessThan(half);
  expect(half).toBeLessThan(full);
});

test('the ratio is clamped to the trained range and kept by a reset', () => {
  const { engine, core } = runAt(1);
  const state = engine.createState();
  expect(engine.setGateRatio(state, 0)).toBe(0.25);
  engine.resetState(state);
  const [feat, mask] = [core.allocF32(BINS), core.allocF32(BINS)];
  core.writeF32(feat, fixture.features[0]);
  engine.run(state, feat, mask, { exit: 0 });
  expect(maxAbsDiff(core.f32(mask, BINS), fixture.runs[0].masks[0])).toBeLessThanOrEqual(MASK_TOLERANCE);
  expect(engine.exits[0].gatedMacsPerFrame).toBe(2 * (16 * 24 + 24 * 3 + 24 * 16));
});

test('a caller-supplied mask overrides the decision; a decision\'s per-frame ratio overrides the state\'s', () => {
  const core = createCore();
  const engine = createEngine(core, fixture.model);
  const [state, other] = [engine.createState(), engine.createState()];
  const [feat, mask, allOn] = [core.allocF32(BINS), core.allocF32(BINS), core.allocU8(24)];
  core.u8(allOn, 24).fill(1);
  core.writeF32(feat, fixture.features[0]);
  engine.run(state, feat, mask, { exit: 0, gateMasks: [allOn, 0], gateRatio: 0.5 });
  expect(engine.activeChannels(state, 0)).toBe(24);
  expect(engine.activeChannels(state, 1)).toBe(fixture.runs[1].activeChannels[0][1]);
  engine.run(other, feat, mask, { exit: 0, gateRatio: 0.5 });
  expect(maxAbsDiff(core.f32(mask, BINS), fixture.runs[1].masks[0])).toBeLessThanOrEqual(MASK_TOLERANCE);
});

test('tinyhush info lists each gate with its decision layer and the gate network\'s MACs', () => {
  expect(describeModel(fixture.model)).toContain(
    'block0: 24 channels, block0.expand → block0.dw → block0.project, decision block0.gate.logits (gate network 160 MACs/frame)');
});

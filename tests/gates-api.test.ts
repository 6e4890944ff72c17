/**
 * The gate ratio through the public API: `createDenoiser({ gateRatio })`, `setGateRatio` mid-stream
 * (output independent of chunking), the budget policy turning the ratio, telemetry's per-gate
 * active ratio, and typed errors for bad ratios. Model: the gate fixture (tests/fixtures/gates).
 */
import { createDenoiser, InvalidOptionError } from '../src/index.js';
import { budgetPolicy } from '../src/policy/budget.js';
import { loadGateFixture } from './gates-fixture.js';
import { constantMaskModel, testAudio } from './stream-models.js';

const { bytes } = loadGateFixture();
const RATE = 16000;
const input = testAudio(RATE, RATE, 7);
const CHANGE_AT = 4321; // not on a hop boundary

/** Output for `input` in chunks of `chunk`, gate ratio `from` until CHANGE_AT, then `to`. */
function denoised(chunk: number, from: number, to: number): Float32Array {
  const d = createDenoiser({ model: bytes, sampleRate: RATE, gateRatio: from });
  const out = new Float32Array(input.length);
  const feed = (start: number, end: number) => {
    for (let i = start; i < end; i += chunk) {
      const part = input.subarray(i, Math.min(end, i + chunk));
      out.set(d.process(part), i);
    }
  };
  feed(0, CHANGE_AT);
  d.setGateRatio(to);
  feed(CHANGE_AT, input.length);
  return out;
}

test('a ratio changed mid-stream at one sample gives the same output for any chunking', () => {
  const whole = denoised(input.length, 1, 0.25);
  for (const chunk of [7, 37, 160, 1000]) expect(denoised(chunk, 1, 0.25)).toEqual(whole);
  // The change did something: after it, the output differs from staying at 1.
  const unchanged = denoised(input.length, 1, 1);
  expect(unchanged.subarray(0, CHANGE_AT)).toEqual(whole.subarray(0, CHANGE_AT));
  expect(unchanged.subarray(CHANGE_AT + 160)).not.toEqual(whole.subarray(CHANGE_AT + 160));
});

test('lower ratios run fewer channels and MACs; telemetry and onFrame report the active share per gate', () => {
  const run = (gateRatio: number) => {
    const d = createDenoiser({ model: bytes, sampleRate: RATE, gateRatio });
    const sums = [0, 0];
    d.onFrame = (frame) => frame.gateShares.forEach((share, g) => { sums[g] += share; });
    d.process(input);
    expect(d.gateRatio).toBe(Math.max(gateRatio, 0.25));
    const t = d.telemetry();
    sums.forEach((sum, g) => expect(sum / t.frames).toBeCloseTo(t.gateActiveRatio[g], 6));
    return t;
  };
  const [low, half, full] = [run(0.1), run(0.5), run(1)];
  expect(low.macs).toBeLessThan(half.macs);
  expect(half.macs).toBeLessThan(full.macs);
  expect(full.macs).toBeLessThanOrEqual(full.macsDense);
  for (const t of [low, half, full]) expect(t.gateActiveRatio).toHaveLength(2);
  const mean = (t: typeof low) => (t.gateActiveRatio[0] + t.gateActiveRatio[1]) / 2;
  expect(mean(low)).toBeLessThan(mean(half));
  expect(mean(half)).toBeLessThan(mean(full));
  expect(mean(full)).toBeLessThanOrEqual(1);
});

test('a budget the full exit meets at some ratio runs at that ratio', () => {
  const exits = [{ name: 'full', macsPerFrame: 1000, gatedMacsPerFrame: 800 }];
  const context = { exits, channels: 1, framesPerSecond: 100, minGateRatio: 0.25 };
  const decide = (perFrame: number) => budgetPolicy({ macsPerSecond: perFrame * 100, minDwellFrames: 10 }, context)
    .decide({ channel: 0, frame: 0 } as never);
  expect(decide(600)).toEqual({ exit: 0, gateRatio: 0.5 });
  expect(decide(1000)).toEqual({ exit: 0, gateRatio: 1 });
  expect(decide(100)).toEqual({ exit: 0, gateRatio: 0.25 });
  // Two exits: below the full exit's lowest cost the bucket walks the exits at the lowest ratio.
  const two = { ...context, exits: [{ name: 'cheap', macsPerFrame: 300, gatedMacsPerFrame: 0 }, ...exits] };
  const policy = budgetPolicy({ macsPerSecond: 350 * 100, minDwellFrames: 1 }, two);
  const picked = Array.from({ length: 10 }, (_, frame) => policy.decide({ channel: 0, frame } as never));
  expect(new Set(picked.map((d) => d.gateRatio))).toEqual(new Set([0.25]));
  expect(new Set(picked.map((d) => d.exit))).toEqual(new Set([0, 1]));
});

test('the budget policy on a gated model equals a fixed run at the ratio it picks', () => {
  const dense = createDenoiser({ model: bytes, sampleRate: RATE });
  const { macsPerFrame, gatedMacsPerFrame } = dense.exits[0];
  const macsPerSecond = (macsPerFrame - 0.5 * gatedMacsPerFrame) * 100; // ratio 0.5
  const budget = createDenoiser({ model: bytes, sampleRate: RATE, policy: { kind: 'budget', macsPerSecond } });
  const fixed = createDenoiser({ model: bytes, sampleRate: RATE, gateRatio: 0.5 });
  expect(budget.process(input)).toEqual(fixed.process(input));
  expect(budget.telemetry().macs).toBe(fixed.telemetry().macs);
  dense.process(input);
  expect(budget.telemetry().macs).toBeLessThan(dense.telemetry().macs);
});

test('bad gate ratios are InvalidOptionErrors; a model without gates ignores a good one', () => {
  for (const bad of [-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '0.5', null]) {
    expect(() => createDenoiser({ model: bytes, sampleRate: RATE, gateRatio: bad as number })).toThrow(InvalidOptionError);
    const d = createDenoiser({ model: bytes, sampleRate: RATE });
    expect(() => d.setGateRatio(bad as number)).toThrow(/gateRatio must be a number from 0 to 1/);
  }
  const plain = createDenoiser({ model: constantMaskModel(0), sampleRate: RATE, gateRatio: 0.5 });
  expect(plain.gates).toEqual([]);
  plain.setGateRatio(0.3);
  expect(plain.gateRatio).toBe(1);
  plain.process(input);
  expect(plain.telemetry().gateActiveRatio).toEqual([]);
});

/** The budget policy holds a MAC rate over long streams, with few exit changes, and clamps out-of-range targets. */
import { createDenoiser } from '../src/index.js';
import { loadGolden } from './engine-fixtures.js';
import { testAudio } from './stream-models.js';

const golden = loadGolden('gru');
const model = golden.bytes;
const FRAMES_PER_SECOND = 100;
const costs = golden.macsPerFrame; // cheapest first
const perSecond = (perFrame: number) => perFrame * FRAMES_PER_SECOND;

/** Runs `seconds` of audio through a budget denoiser, in 0.5 s chunks, and returns its telemetry. */
function runBudget(macsPerSecond: number, seconds: number, sampleRate = 16000, channels = 1) {
  const denoiser = createDenoiser({ model, sampleRate, channels, policy: { kind: 'budget', macsPerSecond } });
  const chunk = sampleRate / 2;
  const audio = Array.from({ length: channels }, (_, c) => testAudio(chunk, sampleRate, c + 1));
  for (let t = 0; t < 2 * seconds; t++) denoiser.process(channels === 1 ? audio[0] : audio);
  return { denoiser, telemetry: denoiser.telemetry() };
}

test.each([
  ['between exit 0 and exit 1', 0.35, 0, 1],
  ['between exit 1 and the full exit', 0.8, 1, 2],
])('a target %s is held within ±5 %% over a 60 s stream, using only the two exits around it', (_, at, below, above) => {
  const target = perSecond(costs[below] + at * (costs[above] - costs[below]));
  const { telemetry: t, denoiser } = runBudget(target, 60);
  expect(t.audioSeconds).toBe(60);
  expect(Math.abs(t.macsPerSecond / target - 1)).toBeLessThan(0.05);
  expect(Math.abs(t.macs / t.frames / (target / FRAMES_PER_SECOND) - 1)).toBeLessThan(0.001); // per frame: the bucket's bound
  expect(t.exitHistogram[below]).toBeGreaterThan(0);
  expect(t.exitHistogram[above]).toBeGreaterThan(0);
  expect(t.exitHistogram[below] + t.exitHistogram[above]).toBe(t.frames);
  // The minimum dwell of 10 frames bounds how often the exit (and the held GRU state) changes.
  expect(t.exitChanges).toBeGreaterThan(0);
  expect(t.exitChanges).toBeLessThanOrEqual(t.frames / 10);
  expect(t.decisionsPerSecond).toBeCloseTo(t.exitChanges / 60, 10);
  expect(t.policy).toBe('budget');
  expect(denoiser.policy).toEqual({ kind: 'budget', macsPerSecond: target, minDwellFrames: 10 });
  expect(denoiser.exit).toBe(-1);
});

test('the budget covers all channels of a stream together, at any rate', () => {
  const perChannel = (costs[1] + costs[2]) / 2;
  const { telemetry: t } = runBudget(2 * perSecond(perChannel), 20, 48000, 2);
  expect(Math.abs(t.macsPerSecond / perSecond(2 * perChannel) - 1)).toBeLessThan(0.05);
  expect(t.exitHistogram[0]).toBe(0); // each channel's share lies between exit 1 and the full exit
  expect(t.exitHistogram[1]).toBeGreaterThan(0);
  expect(t.exitHistogram[2]).toBeGreaterThan(0);
});

test.each([
  ['above the full model', 10, 2],
  ['below the cheapest exit', 0.1, 0],
])('a target %s is clamped to the model range and runs that exit only', (_, factor, exit) => {
  const { telemetry: t, denoiser } = runBudget(factor * perSecond(costs[2]), 2);
  expect(denoiser.policy).toMatchObject({ kind: 'budget', macsPerSecond: perSecond(costs[exit]) });
  expect(t.exitHistogram[exit]).toBe(t.frames);
  expect(t.exitChanges).toBe(0);
});

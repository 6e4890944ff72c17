/** The adaptive policy: cheap exit on silence, deep exit on loud noise with a tone, hold time, exact counting. */
import { createDenoiser } from '../src/index.js';
import { ADAPTIVE_DEFAULTS } from '../src/policy/spec.js';
import { loadGolden } from './engine-fixtures.js';

const golden = loadGolden('gru');
const model = golden.bytes;
const RATE = 16000;
const FRAMES = 100; // one second of hops
const [cheap, , full] = golden.macsPerFrame;

/** One second of loud white noise plus a 700 Hz tone (about −12 dBFS). */
function noiseAndTone(seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: RATE }, (_, i) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return 0.3 * (state / 2 ** 32 - 0.5) + 0.2 * Math.sin((2 * Math.PI * 700 * i) / RATE);
  });
}

const silence = new Float32Array(RATE);

/** Feeds each second in turn and returns the exit histogram of each. */
function histograms(seconds: Float32Array[], holdFrames = 30) {
  // A short smoothing: the loud second's level decays below the silence level within the next second.
  const denoiser = createDenoiser({ model, sampleRate: RATE, policy: { kind: 'adaptive', holdFrames, smoothingFrames: 5 } });
  return seconds.map((audio) => {
    denoiser.resetTelemetry();
    denoiser.process(audio);
    return denoiser.telemetry();
  });
}

test('silence runs the cheap exit; loud noise with a tone runs the full exit; the hold time then runs out', () => {
  const holdFrames = 30;
  const [quiet, loud, after, later] = histograms([silence, noiseAndTone(1), silence, silence], holdFrames);
  expect(quiet.exitHistogram).toEqual([FRAMES, 0, 0]);
  expect(quiet.macs).toBe(FRAMES * cheap);
  expect(quiet.policy).toBe('adaptive');
  expect(loud.exitHistogram[2]).toBeGreaterThanOrEqual(FRAMES - 3); // a frame or two for the smoothed level to rise
  // Held on the full exit for holdFrames after the last loud frame (plus the smoothed level's decay), then cheap again.
  expect(after.exitHistogram[2]).toBeGreaterThanOrEqual(holdFrames);
  expect(after.exitHistogram[0]).toBeGreaterThan(0);
  expect(later.exitHistogram).toEqual([FRAMES, 0, 0]);
  expect(loud.exitChanges + after.exitChanges).toBe(2);
});

test('a frame that turns hard continues from the cheap exit (its head counted once); held frames go straight to the full exit', () => {
  const [, loud] = histograms([silence, noiseAndTone(2)]);
  // Exactly one staged frame: the first hard one ran exit 0, then the rest of the full exit.
  const headMacs = golden.model.header.layers.filter((l) => l.name.startsWith('exit0.'))
    .reduce((sum, l) => sum + (l.op === 'dense' ? l.in * l.out : 0), 0);
  const direct = loud.exitHistogram[0] * cheap + loud.exitHistogram[2] * full;
  expect(loud.macs).toBe(direct + headMacs);
});

test('a tighter noise-fraction window turns the same audio easy', () => {
  const denoiser = createDenoiser({ model, sampleRate: RATE, policy: { kind: 'adaptive', minNoiseFraction: 0.999, maxNoiseFraction: 1 } });
  denoiser.process(noiseAndTone(3));
  expect(denoiser.telemetry().exitHistogram).toEqual([FRAMES, 0, 0]);
  expect(denoiser.policy).toEqual({ ...ADAPTIVE_DEFAULTS, kind: 'adaptive', easyExit: 0, hardExit: 2, minNoiseFraction: 0.999, maxNoiseFraction: 1 });
});

import { sisdr } from '../src/eval/sisdr.js';
import { alignSignals, estimateDelay } from '../src/eval/align.js';
import { InvalidOptionError } from '../src/errors.js';

/** Deterministic white-ish noise in [−0.5, 0.5). */
function noise(length: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length }, () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5);
}

/** A sine with a whole number of periods in `length` samples: zero mean, and orthogonal to sines of other such frequencies. */
const sine = (length: number, periods: number, amplitude = 1) =>
  Float64Array.from({ length }, (_, n) => amplitude * Math.sin((2 * Math.PI * periods * n) / length));

describe('SI-SDR', () => {
  const length = 8000;
  const speech = sine(length, 50);
  const interference = sine(length, 173);

  test('a known orthogonal distortion gives 10·log10 of the energy ratio, whatever the scale', () => {
    // estimate = 2·s + 0.1·n with |s| = |n|: target energy 4|s|², residual 0.01|n|² → 10·log10(400).
    const estimate = speech.map((s, n) => 2 * s + 0.1 * interference[n]);
    expect(sisdr(speech, estimate)).toBeCloseTo(10 * Math.log10(400), 6);
    expect(sisdr(speech, estimate.map((v) => -0.3 * v + 0.25))).toBeCloseTo(sisdr(speech, estimate), 6);
  });

  test('equal-energy interference gives 0 dB, and more interference a lower score', () => {
    expect(sisdr(speech, speech.map((s, n) => s + interference[n]))).toBeCloseTo(0, 6);
    expect(sisdr(speech, speech.map((s, n) => s + 3 * interference[n]))).toBeCloseTo(-20 * Math.log10(3), 6);
  });

  test('a scaled, offset copy scores very high', () => {
    expect(sisdr(speech, speech.map((s) => 0.5 * s + 0.1))).toBeGreaterThan(120);
  });

  test('rejects empty, unequal-length and silent references', () => {
    expect(() => sisdr([], [])).toThrow(InvalidOptionError);
    expect(() => sisdr([1, 2, 3], [1, 2])).toThrow(/equal length/);
    expect(() => sisdr([0.2, 0.2, 0.2], [1, 2, 3])).toThrow(/silent/);
  });
});

describe('delay compensation', () => {
  const reference = noise(16000, 3);
  const delayed = (delay: number) => {
    const out = new Float32Array(reference.length);
    for (let i = 0; i < out.length; i++) {
      const source = i - delay;
      if (source >= 0 && source < reference.length) out[i] = reference[source];
    }
    return out;
  };

  const disturbance = noise(16000, 11);

  test.each([0, 1, 237, -90, 1600])('recovers a delay of %i samples', (delay) => {
    const estimate = delayed(delay).map((v, i) => 0.7 * v + 0.05 * disturbance[i]);
    expect(estimateDelay(reference, estimate, 1600)).toBe(delay);
  });

  test('only searches within ±maxLag', () => {
    expect(Math.abs(estimateDelay(reference, delayed(300), 100))).toBeLessThanOrEqual(100);
  });

  test('alignment shifts and trims to the common length', () => {
    const aligned = alignSignals(reference, delayed(160), 400);
    expect(aligned.delaySamples).toBe(160);
    expect(aligned.reference.length).toBe(16000 - 160);
    expect(aligned.estimate.length).toBe(16000 - 160);
    expect(Array.from(aligned.estimate.subarray(0, 50))).toEqual(Array.from(reference.subarray(0, 50)));
  });

  test('rejects bad lags and empty signals', () => {
    expect(() => estimateDelay(reference, reference, -1)).toThrow(InvalidOptionError);
    expect(() => estimateDelay(new Float32Array(0), reference, 10)).toThrow(/empty/);
  });
});

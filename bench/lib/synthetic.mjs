/**
 * Deterministic noisy-speech-like test signal for harness checks that must run without any data:
 * voiced syllables (glottal harmonics shaped by moving formants, 3–5 syllables/s, with pauses)
 * plus stationary white noise. Same seed, same samples.
 */

const RATE = 16000;
/** Formant targets (Hz) of a few vowels; syllables glide between them. */
const VOWELS = [
  [730, 1090, 2440],
  [270, 2290, 3010],
  [300, 870, 2240],
  [530, 1840, 2480],
  [570, 840, 2410],
];

/** Small seeded PRNG (mulberry32) so the signal is identical everywhere. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample from a uniform generator (Box–Muller). */
function gaussian(random) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * @param {{ seconds?: number, snrDb?: number, seed?: number, leadSeconds?: number }} [options]
 * @returns {{ clean: Float32Array, noise: Float32Array, noisy: Float32Array, speechActive: Uint8Array, sampleRate: number }}
 *   `speechActive[n]` is 1 inside a syllable; the first `leadSeconds` are noise only.
 */
export function noisySpeechLike({ seconds = 4, snrDb = 10, seed = 1, leadSeconds = 0.5 } = {}) {
  const random = seededRandom(seed);
  const n = Math.round(seconds * RATE);
  const clean = new Float32Array(n);
  const speechActive = new Uint8Array(n);
  let t = Math.round(leadSeconds * RATE);
  let phase = 0;
  while (t < n) {
    const length = Math.round((0.15 + 0.15 * random()) * RATE);
    const from = VOWELS[Math.floor(random() * VOWELS.length)];
    const to = VOWELS[Math.floor(random() * VOWELS.length)];
    const f0Start = 100 + 120 * random();
    for (let i = 0; i < length && t + i < n; i++) {
      const x = i / length;
      const f0 = f0Start * (1 + 0.15 * Math.sin(Math.PI * x));
      phase += (2 * Math.PI * f0) / RATE;
      const formants = from.map((f, k) => f + (to[k] - f) * x);
      let sample = 0;
      for (let h = 1; h * f0 < 4000; h++) {
        const freq = h * f0;
        // Resonance peaks of ~100 Hz bandwidth on a −6 dB/octave glottal slope.
        let gain = 0;
        for (const f of formants) gain += 1 / (1 + ((freq - f) / 100) ** 2);
        sample += (gain / h) * Math.sin(h * phase);
      }
      clean[t + i] = sample * Math.sin(Math.PI * x) ** 2;
      speechActive[t + i] = 1;
    }
    t += length + Math.round((0.05 + 0.25 * random()) * RATE);
  }
  let speechPower = 0;
  let active = 0;
  for (let i = 0; i < n; i++) if (speechActive[i]) (speechPower += clean[i] ** 2), active++;
  const scale = 0.1 / Math.sqrt(speechPower / active); // speech at −20 dBFS RMS
  for (let i = 0; i < n; i++) clean[i] *= scale;
  const noiseRms = 0.1 / 10 ** (snrDb / 20);
  const noise = new Float32Array(n);
  const noisy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    noise[i] = noiseRms * gaussian(random);
    noisy[i] = clean[i] + noise[i];
  }
  return { clean, noise, noisy, speechActive, sampleRate: RATE };
}

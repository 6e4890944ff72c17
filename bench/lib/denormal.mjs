/**
 * Denormal storm: the real-time factor of a 48 kHz stereo stream fed subnormal samples, and fed
 * tiny normal samples (whose products underflow to subnormals inside the DSP), against the same
 * stream fed noisy speech. WASM has no flush-to-zero mode, and x86 computes with subnormals up to
 * ~100× slower, so without an explicit flush a stream's speed depends on its input.
 */
import { noisySpeechLike, seededRandom } from './synthetic.mjs';
import { median } from './timing.mjs';
import { loadTinyhush } from './tinyhush-api.mjs';

const RATE = 48000;
const CHANNELS = 2;
const CHUNK = 480; // 10 ms, as a real-time caller feeds it

/** `n` samples of magnitude `scale` × [0.5, 1) with random sign. */
function storm(n, scale, seed) {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (random() < 0.5 ? -1 : 1) * scale * (0.5 + 0.5 * random()));
}

/** The inputs compared: one per row, each `seconds` long at 48 kHz. */
function inputs(seconds) {
  const n = seconds * RATE;
  const speech = noisySpeechLike({ seconds: seconds * 3 }).noisy.subarray(0, n); // 16 kHz samples, used as 48 kHz audio
  return [
    { input: 'noisy speech', channels: [speech, speech.map((x) => -x)] },
    { input: 'subnormal storm (magnitudes below 2^-126)', channels: [storm(n, 2 ** -130, 1), storm(n, 2 ** -140, 2)] },
    { input: 'tiny normal storm (magnitudes about 2^-120)', channels: [storm(n, 2 ** -120, 3), storm(n, 2 ** -110, 4)] },
  ];
}

/**
 * CPU seconds (this thread's process, `process.cpuUsage`: robust to other jobs on a shared machine)
 * to stream `channels` through a fresh denoiser in 10 ms chunks.
 */
function timeStream(createDenoiser, channels) {
  const denoiser = createDenoiser({ sampleRate: RATE, channels: CHANNELS });
  const outputs = [new Float32Array(CHUNK), new Float32Array(CHUNK)];
  const chunk = [new Float32Array(CHUNK), new Float32Array(CHUNK)];
  let subnormalOut = 0;
  const started = process.cpuUsage();
  for (let at = 0; at + CHUNK <= channels[0].length; at += CHUNK) {
    for (let c = 0; c < CHANNELS; c++) chunk[c].set(channels[c].subarray(at, at + CHUNK));
    denoiser.process(chunk, outputs);
    for (const out of outputs) for (const y of out) if (y !== 0 && Math.abs(y) < 2 ** -126) subnormalOut++;
  }
  const used = process.cpuUsage(started);
  denoiser.dispose();
  return { cpu: (used.user + used.system) / 1e6, subnormalOut };
}

/**
 * Rows: input, real-time factor in CPU seconds per audio second (median over `rounds`,
 * interleaved), ratio to noisy speech, and subnormal output samples seen.
 */
export async function benchDenormals({ seconds = 10, rounds = 3 } = {}) {
  const { createDenoiser } = await loadTinyhush();
  const cases = inputs(seconds);
  timeStream(createDenoiser, cases[0].channels.map((c) => c.subarray(0, RATE))); // warm-up
  const cpus = cases.map(() => []);
  const subnormal = cases.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const index = (round + k) % cases.length;
      const { cpu, subnormalOut } = timeStream(createDenoiser, cases[index].channels);
      cpus[index].push(cpu);
      subnormal[index] = subnormalOut;
    }
  }
  const rtf = cpus.map((c) => median(c) / seconds);
  return cases.map((c, i) => ({
    input: c.input, sampleRate: RATE, channels: CHANNELS, seconds, rounds,
    realTimeFactor: rtf[i], ratioToSpeech: rtf[i] / rtf[0], subnormalOutputSamples: subnormal[i],
  }));
}

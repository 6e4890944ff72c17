/** With a mask of 1 the denoiser is a pure delay, which exposes the latency bookkeeping at every rate. */
import { createDenoiser, SUPPORTED_RATES } from '../src/index.js';
import { unityMaskModel } from './stream-models.js';

const model = unityMaskModel();

/** A band-limited probe (well inside every rate's passband), defined at any time `t` in seconds. */
const probe = (t: number): number => 0.3 * Math.sin(2 * Math.PI * 300 * t) + 0.2 * Math.sin(2 * Math.PI * 1234 * t + 1);

function delayedOutput(rate: number, seconds: number) {
  const denoiser = createDenoiser({ model, sampleRate: rate });
  const n = Math.round(rate * seconds);
  const input = Float32Array.from({ length: n }, (_, i) => probe(i / rate));
  const output = new Float32Array(n + denoiser.latencySamples);
  output.set(denoiser.process(input));
  output.set(denoiser.flush()[0], n);
  return { denoiser, n, output };
}

/** Largest |output[i] − probe(i/rate − delaySeconds)| once the filters have settled (10 ms in and out). */
function worstError(output: Float32Array, rate: number, n: number, delaySeconds: number): number {
  const first = Math.ceil(delaySeconds * rate) + Math.round(rate * 0.01);
  let worst = 0;
  for (let i = first; i < n; i++) worst = Math.max(worst, Math.abs(output[i] - probe(i / rate - delaySeconds)));
  return worst;
}

test.each(SUPPORTED_RATES.map((r) => [r]))('%i Hz: output is the input delayed by exactly latencySeconds', (rate) => {
  const { denoiser, n, output } = delayedOutput(rate, 0.2);
  expect(worstError(output, rate, n, denoiser.latencySeconds)).toBeLessThanOrEqual(2e-3);
  expect(denoiser.latencySamples).toBe(Math.round(denoiser.latencySeconds * rate));
});

test.each([16000, 24000, 32000, 48000].map((r) => [r]))('%i Hz: the delay is a whole number of samples, latencySamples', (rate) => {
  const { denoiser, n, output } = delayedOutput(rate, 0.2);
  expect(denoiser.latencySeconds * rate).toBeCloseTo(denoiser.latencySamples, 9);
  expect(worstError(output, rate, n, denoiser.latencySamples / rate)).toBeLessThanOrEqual(rate === 16000 ? 1e-6 : 2e-3);
});

test('16 kHz: the latency is the STFT delay plus a hop of buffering, less the sample that completes the hop', () => {
  expect(createDenoiser({ model, sampleRate: 16000 }).latencySamples).toBe(160 + 159);
});

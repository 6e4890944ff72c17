/**
 * The bundled models really denoise: on the project's own test mixtures (Asterisk prompts
 * by a voice held out from training, mixed with synthetic noise; tests/fixtures/mixtures/README.md)
 * every exit raises SI-SDR, and the full exit by a clear margin.
 */
import { createDenoiser } from '../src/node/create-denoiser.js';
import { DEFAULT_MODEL, listModels, MODEL_ALIASES } from '../src/model/registry.js';
import { readWavFile } from '../src/node/wav.js';
import { sisdr } from '../src/eval/sisdr.js';

const MIXTURES = [1, 2, 3];

/** Denoises a whole signal with `model` at `exit` and returns it aligned with the input (latency removed). */
function denoise(model: string, x: Float32Array, exit: number): Float32Array {
  const denoiser = createDenoiser({ model, sampleRate: 16000, exit });
  const head = denoiser.process(x);
  const [tail] = denoiser.flush();
  const out = new Float32Array(x.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out.subarray(denoiser.latencySamples, denoiser.latencySamples + x.length);
}

test(`the default model "${DEFAULT_MODEL}" names a bundled model`, () => {
  expect(listModels().map((m) => m.name)).toContain(MODEL_ALIASES[DEFAULT_MODEL] ?? DEFAULT_MODEL);
});

describe.each(listModels().flatMap(({ name }) => [0, 1, 2].map((exit) => [name, exit] as const)))('%s exit %i', (model, exit) => {
  test('improves SI-SDR on every bundled test mixture', async () => {
    const gains: number[] = [];
    for (const n of MIXTURES) {
      const [clean] = (await readWavFile(`tests/fixtures/mixtures/clean-${n}.wav`)).channels;
      const [noisy] = (await readWavFile(`tests/fixtures/mixtures/noisy-${n}.wav`)).channels;
      const gain = sisdr(clean, denoise(model, noisy, exit)) - sisdr(clean, noisy);
      expect(gain).toBeGreaterThan(0.5);
      gains.push(gain);
    }
    expect(gains.reduce((a, b) => a + b) / gains.length).toBeGreaterThan(exit === 2 ? 3 : 2);
  });
});

/**
 * The bundled models really denoise: on the project's own test mixtures (Asterisk prompts
 * by a voice held out from training, mixed with synthetic noise; tests/fixtures/mixtures/README.md)
 * every exit raises SI-SDR, and the full exit by a clear margin; a model whose gates pick channels
 * does so at the lowest trained gate ratio too.
 */
import { createDenoiser } from '../src/node/create-denoiser.js';
import { DEFAULT_MODEL, listModels, MODEL_ALIASES } from '../src/model/registry.js';
import { readWavFile } from '../src/node/wav.js';
import { sisdr } from '../src/eval/sisdr.js';

const MIXTURES = [1, 2, 3];

/** One way to run a bundled model: an exit, and a gate ratio for a model whose gates decide. */
interface Setting { model: string; exit: number; gateRatio: number; full: boolean }

/** Every exit at gate ratio 1, and the full exit at ratio 0.25 too where the gates decide. */
function settings(model: string): Setting[] {
  const probe = createDenoiser({ model, sampleRate: 16000 });
  const { exits, gates } = probe;
  probe.dispose();
  const last = exits.length - 1;
  const ratios = gates.some((gate) => gate.decides) ? [0.25, 1] : [1];
  return [
    ...exits.slice(0, last).map((_, exit) => ({ model, exit, gateRatio: 1, full: false })),
    ...ratios.map((gateRatio) => ({ model, exit: last, gateRatio, full: gateRatio === 1 })),
  ];
}

/** Denoises a whole signal with `setting` and returns it aligned with the input (latency removed). */
function denoise({ model, exit, gateRatio }: Setting, x: Float32Array): Float32Array {
  const denoiser = createDenoiser({ model, sampleRate: 16000, exit, gateRatio });
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

const cases = listModels().flatMap(({ name }) => settings(name)).map((s) => [s.model, s.exit, s.gateRatio, s] as const);

describe.each(cases)('%s exit %i gate ratio %s', (_model, _exit, _ratio, setting) => {
  test('improves SI-SDR on every bundled test mixture', async () => {
    const gains: number[] = [];
    for (const n of MIXTURES) {
      const [clean] = (await readWavFile(`tests/fixtures/mixtures/clean-${n}.wav`)).channels;
      const [noisy] = (await readWavFile(`tests/fixtures/mixtures/noisy-${n}.wav`)).channels;
      const gain = sisdr(clean, denoise(setting, noisy)) - sisdr(clean, noisy);
      expect(gain).toBeGreaterThan(0.5);
      gains.push(gain);
    }
    expect(gains.reduce((a, b) => a + b) / gains.length).toBeGreaterThan(setting.full ? 3 : 2);
  });
});

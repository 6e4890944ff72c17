/** The whole stream at 16 kHz against the PyTorch reference: enhanced waveform and MAC counts. */
import { createDenoiser } from '../src/index.js';
import { loadGolden, maxAbsDiff } from './engine-fixtures.js';

const STFT_DELAY = 160; // the golden "enhanced" is already delayed by win − hop, like the stream

describe.each(['gru', 'conv'] as const)('%s golden model through createDenoiser at 16 kHz', (kind) => {
  const golden = loadGolden(kind);
  const n = golden.input.length;

  test.each(golden.exits.map((_, i) => i))('exit %i: output is the reference enhanced waveform, delayed by latencySamples', (exit) => {
    const denoiser = createDenoiser({ model: golden.bytes, sampleRate: 16000, exit });
    const latency = denoiser.latencySamples;
    const output = new Float32Array(n + latency);
    output.set(denoiser.process(golden.input));
    const telemetry = denoiser.telemetry();
    output.set(denoiser.flush()[0], n);

    const lead = latency - STFT_DELAY;
    expect(output.subarray(0, lead).every((v) => v === 0)).toBe(true);
    expect(maxAbsDiff(output.subarray(lead, lead + n), golden.exits[exit].enhanced)).toBeLessThanOrEqual(1e-4);

    const frames = Math.floor(n / golden.hop);
    expect(telemetry.frames).toBe(frames);
    expect(telemetry.macs).toBe(frames * golden.macsPerFrame[exit]);
    expect(telemetry.macsDense).toBe(frames * golden.macsPerFrame[golden.macsPerFrame.length - 1]);
    expect(telemetry.exitHistogram[exit]).toBe(frames);
  });
});

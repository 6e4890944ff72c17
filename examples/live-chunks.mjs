// Denoises audio arriving in small chunks (as from a microphone or a WebRTC track) and prints what
// it cost. Run after `npm run build`: node examples/live-chunks.mjs [in.wav]
import { createDenoiser, readWavFile } from 'tinyhush/node';

const path = process.argv[2] ?? new URL('./noisy-sample.wav', import.meta.url).pathname;
const { sampleRate, channels } = await readWavFile(path);
const denoiser = createDenoiser({ sampleRate, channels: channels.length });

const chunk = 128;                                     // an AudioWorklet render quantum
const out = channels.map(() => new Float32Array(chunk));
for (let start = 0; start < channels[0].length; start += chunk) {
  const input = channels.map((c) => c.subarray(start, start + chunk));
  denoiser.process(input, out);                         // same length out, delayed by latencySamples
}
denoiser.flush();

const t = denoiser.telemetry();
console.log(`${t.frames} frames, ${(t.macsPerSecond / 1e6).toFixed(1)} M MACs per second of audio, `
  + `real-time factor ${t.realTimeFactor.toFixed(4)}, latency ${(denoiser.latencySeconds * 1000).toFixed(1)} ms`);

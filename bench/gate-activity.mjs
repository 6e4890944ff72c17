// Gate activity picture (issue 16): a model with channel gates run over a noisy file at one gate
// ratio; per model frame and gate, which expanded channels ran, drawn under the input's
// spectrogram (src/plot/gate-activity-plot.ts), with each gate's share of channels that ran.
// Writes OUT.svg and OUT.png (PNG through @resvg/resvg-js). Runs the sources (transpiled by
// bench/lib/src-module.mjs): it needs the denoiser's engine, which the built API does not expose.
// Usage: node bench/gate-activity.mjs MODEL.thm [--input in.wav] [--ratio 0.25] [--seconds S] --out FILE
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { powerFrames, HOP } from './lib/band-energy.mjs';
import { repoRoot } from './lib/paths.mjs';
import { importSource } from './lib/src-module.mjs';

const USAGE = 'usage: node bench/gate-activity.mjs MODEL.thm [--input in.wav] [--ratio 0.25] [--seconds S] --out FILE (writes FILE.svg, FILE.png)';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    input: { type: 'string', default: join(repoRoot, 'examples/noisy-sample.wav') },
    ratio: { type: 'string', default: '0.25' },
    seconds: { type: 'string' },
    out: { type: 'string' },
  },
});
if (positionals.length !== 1 || values.out === undefined) throw new Error(USAGE);
const RATE = 16000;
const gateRatio = Number(values.ratio);

// One after another: importSource rewrites the shared modules each call.
const { checkOptions } = await importSource('denoiser-options');
const { loadModel } = await importSource('host/load');
const { pooledSlots } = await importSource('host/slots');
const { openDenoiser } = await importSource('denoiser');
const { readWavFile } = await importSource('node/wav');
const { gateActivitySvg } = await importSource('plot/gate-activity-plot');
const { svgToPng } = await importSource('plot/svg-to-png');

const wav = await readWavFile(values.input);
if (wav.sampleRate !== RATE || wav.channels.length !== 1) throw new Error(`${values.input}: expected mono ${RATE} Hz`);
const input = values.seconds === undefined ? wav.channels[0] : wav.channels[0].subarray(0, Math.round(Number(values.seconds) * RATE));

// createDenoiser's own steps, with the engine's `run` watched: after each frame, a gate's mask is
// its decision layer's output > 0 (what the WASM decision step computes; no caller masks here).
const { model, skippedState, wasmBuild, ...shape } = checkOptions({ model: new Uint8Array(readFileSync(positionals[0])), sampleRate: RATE, gateRatio, wasmBuild: 'simd' });
const loaded = loadModel({ model, wasmBuild, ...(skippedState !== undefined && { skippedState }) });
const { engine } = loaded;
const gates = loaded.model.header.gates;
if (!gates.some((gate) => gate.decision !== undefined)) throw new Error(`${positionals[0]}: the model has no gate decisions`);
let state;
const watched = { ...engine, run(s, features, mask, decision) { state = s; engine.run(s, features, mask, decision); } };
const watchedModel = { ...loaded, engine: watched };
const denoiser = openDenoiser(watchedModel, shape, pooledSlots(watchedModel), () => {});
const masks = gates.map(() => []);
denoiser.onFrame = (frame) => gates.forEach((gate, g) => {
  const ran = !Number.isNaN(frame.gateShares[g]);
  masks[g].push(gate.decision === undefined || !ran
    ? new Uint8Array(gate.channels).fill(ran ? 1 : 0)
    : Uint8Array.from(engine.layerOutput(state, gate.decision), (x) => (x > 0 ? 1 : 0)));
});
denoiser.process(input);

const telemetry = denoiser.telemetry();
const svg = gateActivitySvg({
  title: `${loaded.model.header.name}: channels that ran, gate ratio ${denoiser.gateRatio} (${(input.length / RATE).toFixed(1)} s)`,
  spectrogram: { frames: powerFrames(input), columnSeconds: HOP / RATE, topHz: RATE / 2 },
  framesPerSecond: loaded.model.header.sampleRate / loaded.model.header.stft.hop,
  gates: gates.map((gate, g) => ({ name: gate.name, masks: masks[g] })),
});
writeFileSync(`${values.out}.svg`, svg);
writeFileSync(`${values.out}.png`, await svgToPng(svg));
console.log(`${values.out}.svg, ${values.out}.png: ${telemetry.frames} frames at gate ratio ${denoiser.gateRatio}; share of channels that ran per gate: `
  + telemetry.gateActiveRatio.map((share, g) => `${gates[g].name} ${(100 * share).toFixed(1)} %`).join(', '));

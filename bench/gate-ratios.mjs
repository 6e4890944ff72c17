// Gate-ratio benchmark (issue 16): a model with gate decisions run over one file at several gate
// ratios, interleaved round by round (bench/lib/timing.mjs's reasoning: drift of a shared machine
// spreads over all ratios); per ratio the executed MACs per frame (the kernels' counters), the
// median time per frame in `process` (wall, and CPU of this process, which a busy machine's other
// jobs do not inflate) and its ratio to the time at the largest ratio in the same run, and the mean
// share of gated channels that ran. Uses the built API (`npm run build` first).
// Usage: node bench/gate-ratios.mjs MODEL.thm [--input in.wav] [--ratios 0.25,0.5,1] [--rounds 7] [--json]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './lib/paths.mjs';
import { median } from './lib/timing.mjs';
import { loadTinyhush, readMono } from './lib/tinyhush-api.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    input: { type: 'string', default: join(repoRoot, 'examples/noisy-sample.wav') },
    ratios: { type: 'string', default: '0.25,0.5,1' },
    rounds: { type: 'string', default: '7' },
    json: { type: 'boolean', default: false },
  },
});
if (positionals.length !== 1) throw new Error('usage: node bench/gate-ratios.mjs MODEL.thm [--input in.wav] [--ratios 0.25,0.5,1] [--rounds 7] [--json]');
const { createDenoiser, readModel } = await loadTinyhush();
const model = readModel(new Uint8Array(readFileSync(positionals[0])));
const input = await readMono(values.input, 16000);
const ratios = values.ratios.split(',').map(Number);
const rounds = Number(values.rounds);

// One denoiser per ratio, kept for every round: V8 compiles and tiers up each instance once.
const denoisers = new Map(ratios.map((gateRatio) => [gateRatio, createDenoiser({ model, sampleRate: 16000, gateRatio, wasmBuild: 'simd' })]));

/** One pass over the input at `gateRatio` from a fresh stream: its telemetry (wall time in process, MACs, active shares) and CPU seconds. */
function pass(gateRatio) {
  const denoiser = denoisers.get(gateRatio);
  denoiser.reset();
  denoiser.resetTelemetry();
  const cpu = process.cpuUsage();
  denoiser.process(input);
  const { user, system } = process.cpuUsage(cpu);
  return { ...denoiser.telemetry(), cpuSeconds: (user + system) / 1e6 };
}

for (const r of ratios) pass(r); // warm-up: V8 tiers the kernels up
const seconds = new Map(ratios.map((r) => [r, []]));
const cpuSeconds = new Map(ratios.map((r) => [r, []]));
const last = new Map();
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < ratios.length; i++) {
    const r = ratios[(i + round) % ratios.length];
    const t = pass(r);
    seconds.get(r).push(t.wasmSeconds / t.frames);
    cpuSeconds.get(r).push(t.cpuSeconds / t.frames);
    last.set(r, t);
  }
}
const top = Math.max(...ratios);
const rows = ratios.map((r) => {
  const t = last.get(r);
  const [wall, cpu] = [median(seconds.get(r)), median(cpuSeconds.get(r))];
  return {
    ratio: r, macsPerFrame: t.macs / t.frames, macsDensePerFrame: t.macsDense / t.frames,
    wallMicrosecondsPerFrame: 1e6 * wall, wallSpeedup: median(seconds.get(top)) / wall,
    cpuMicrosecondsPerFrame: 1e6 * cpu, cpuSpeedup: median(cpuSeconds.get(top)) / cpu,
    activeShare: t.gateActiveRatio.reduce((a, b) => a + b, 0) / t.gateActiveRatio.length,
  };
});
if (values.json) {
  console.log(JSON.stringify({ model: model.header.name, input: values.input, rounds, rows }, null, 2));
} else {
  console.log(`${model.header.name}: ${input.length / 16000} s, ${rounds} interleaved rounds (median), SIMD build`);
  console.log('ratio  MACs/frame  (of dense)  wall µs/frame (speed)  CPU µs/frame (speed)  active share');
  for (const row of rows) {
    console.log(`${row.ratio.toFixed(2).padStart(5)}  ${row.macsPerFrame.toFixed(0).padStart(10)}  ${(100 * row.macsPerFrame / row.macsDensePerFrame).toFixed(1).padStart(9)}%`
      + `  ${row.wallMicrosecondsPerFrame.toFixed(1).padStart(13)} (${row.wallSpeedup.toFixed(2)}×)`
      + `  ${row.cpuMicrosecondsPerFrame.toFixed(1).padStart(12)} (${row.cpuSpeedup.toFixed(2)}×)  ${(100 * row.activeShare).toFixed(1).padStart(11)}%`);
  }
}

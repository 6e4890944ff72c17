/**
 * Worklet cost in Chromium (issue 17, docs/browser.md): render time per second of audio of an
 * OfflineAudioContext at 48 kHz, mono, through the tinyhush node at each exit (and the adaptive
 * policy), next to the @sapphi-red/web-noise-suppressor RNNoise (SIMD) and GTCRN worklets run the
 * same way, and an empty graph (source → destination) for the render loop's own cost.
 *
 *   npm run build && node bench/browser-worklet.mjs [--seconds 20] [--repeats 5] [--dist dist]
 *
 * Each system renders the same audio (examples/noisy-sample.wav, resampled to 48 kHz by the
 * context and looped) `repeats` times, each in a fresh context; the fastest run is reported (the
 * machine is shared, so the minimum is the least disturbed). Every node is built, then given 300
 * ms before rendering starts, so the peers' asynchronous WASM set-up has finished.
 * Needs Debian's chromium (apt-get install -y chromium). Writes bench/results/browser-worklet.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startServer } from '../examples/browser/server.mjs';
import { describeMachine } from './lib/machine.mjs';
import { repoRoot, resultsDir } from './lib/paths.mjs';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '20' }, repeats: { type: 'string', default: '5' }, dist: { type: 'string', default: join(repoRoot, 'dist') } },
});
const executablePath = (() => { try { return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim(); } catch { return ''; } })();
if (!executablePath) {
  console.log('skipped: chromium is not installed (apt-get install -y chromium)');
  process.exit(0);
}
if (!existsSync(join(args.dist, 'web-processor.js'))) throw new Error(`${args.dist}/web-processor.js is missing: run \`npm run build\` first`);

const peersDir = join(repoRoot, 'node_modules/@sapphi-red/web-noise-suppressor/dist');
const server = await startServer({ port: 0, distDir: args.dist, routes: [['/peers/', peersDir]] });
const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage();
const errors = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
await page.goto(`${server.url}blank.html`);

/** Renders `seconds` of the looped sample through `system` `repeats` times in the page. */
const measure = (system, seconds, repeats) => page.evaluate(async ({ system, seconds, repeats }) => {
  const RATE = 48000;
  const web = await import('/dist/web.js');
  const peers = await import('/peers/index.js');
  const wav = await (await fetch('/sample.wav')).arrayBuffer();
  const peerBinary = {
    rnnoise: await (await fetch('/peers/rnnoise_simd.wasm')).arrayBuffer(),
    gtcrn: await (await fetch('/peers/gtcrn.wasm')).arrayBuffer(),
  };
  const build = async (context) => {
    if (system.kind === 'tinyhush') {
      return web.createDenoiserNode(context, { model: '/models/nsnet-ee-f32.thm', telemetryHz: 0, ...system.options });
    }
    if (system.kind === 'none') return undefined;
    const Node = system.kind === 'rnnoise' ? peers.RnnoiseWorkletNode : peers.GtcrnWorkletNode;
    await context.audioWorklet.addModule(`/peers/${system.kind}/workletProcessor.js`);
    return new Node(context, { maxChannels: 1, wasmBinary: peerBinary[system.kind] });
  };
  const runs = [];
  let level = 0;
  for (let r = 0; r < repeats; r++) {
    const n = Math.round(seconds * RATE);
    const context = new OfflineAudioContext(1, n, RATE);
    const decoded = await context.decodeAudioData(wav.slice(0));
    const source = context.createBufferSource();
    source.buffer = decoded;
    source.loop = true;
    const node = await build(context);
    if (node) source.connect(node).connect(context.destination); else source.connect(context.destination);
    source.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    const out = await context.startRendering();
    runs.push((performance.now() - started) / 1000 / seconds);
    // Output level against the input's (a sanity check that the node processed the audio).
    const x = out.getChannelData(0);
    let e = 0;
    for (let i = RATE; i < x.length; i++) e += x[i] * x[i];
    const input = decoded.getChannelData(0);
    let ein = 0;
    for (let i = 0; i < input.length; i++) ein += input[i] * input[i];
    level = 10 * Math.log10((e / (x.length - RATE)) / (ein / input.length));
  }
  return { runs, level };
}, { system, seconds, repeats });

const probe = await page.evaluate(async () => {
  const web = await import('/dist/web.js');
  const node = await web.createDenoiserNode(new OfflineAudioContext(1, 128, 48000), { model: '/models/nsnet-ee-f32.thm', telemetryHz: 0 });
  return { exits: node.exits.map((e) => e.name), wasmBuild: node.wasmBuild };
});
const systems = [
  { name: 'empty graph (source → destination)', kind: 'none' },
  ...probe.exits.map((name, exit) => ({ name: `tinyhush nsnet-ee exit ${exit} (${name})`, kind: 'tinyhush', options: { exit } })),
  { name: 'tinyhush nsnet-ee adaptive policy', kind: 'tinyhush', options: { policy: { kind: 'adaptive' } } },
  { name: 'RNNoise SIMD (@sapphi-red/web-noise-suppressor 0.4.1)', kind: 'rnnoise' },
  { name: 'GTCRN 48 kHz entry (@sapphi-red/web-noise-suppressor 0.4.1)', kind: 'gtcrn' },
];
const seconds = Number(args.seconds);
const repeats = Number(args.repeats);
const rows = [];
for (const system of systems) {
  const { runs, level } = await measure(system, seconds, repeats);
  const row = { system: system.name, secondsPerSecond: Math.min(...runs), median: runs.sort((a, b) => a - b)[Math.floor(runs.length / 2)], outputLevelDb: level };
  rows.push(row);
  console.log(`${row.system.padEnd(62)} ${row.secondsPerSecond.toFixed(4)} s/s (median ${row.median.toFixed(4)}), output ${level.toFixed(1)} dB re input`);
}
const chromiumVersion = await browser.version();
await browser.close();
await server.close();
if (errors.length > 0) throw new Error(`console errors in the page: ${errors.join('; ')}`);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'browser-worklet.json'), `${JSON.stringify({
  chromium: chromiumVersion, tinyhushWasmBuild: probe.wasmBuild, rate: 48000, seconds, repeats, machine: describeMachine(), rows,
}, null, 2)}\n`);
console.log(`chromium ${chromiumVersion}, tinyhush WASM build ${probe.wasmBuild}; wrote bench/results/browser-worklet.json`);

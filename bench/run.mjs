/**
 * `npm run bench`: kernels, end-to-end streaming cost of tinyhush and its peers, quality against
 * cost on the held-out test split, and the machine; writes bench/results/latest.{json,md} and the
 * plot. Options: --rounds N (timing rounds, default 5), --seconds S (end-to-end input, default
 * 60), --files N (N test files spread over noise sources and SNRs, default 24 of 120:
 * scoring all 120 with DNSMOS takes ~30 min on the 2-core machine), --skip-kernels, --skip-quality,
 * --systems REGEX (only the systems whose id matches), --name NAME (write bench/results/NAME.*
 * instead of latest.*).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDenormals } from './lib/denormal.mjs';
import { benchStreamMemory, benchStreamsPerCore } from './lib/streams.mjs';
import { describeMachine } from './lib/machine.mjs';
import { probeMemory, writeProbeInput } from './lib/memory-probe.mjs';
import { renderQualityPlot, svgToPng } from './lib/plot.mjs';
import { ensureTestset, noisyInput, scoreSystems, testFiles } from './lib/quality.mjs';
import { renderMarkdown } from './lib/report.mjs';
import { modelsDir, repoRoot, resultsDir, sharedDir, testsetDir } from './lib/paths.mjs';
import { noisySpeechLike } from './lib/synthetic.mjs';
import { peerSystems, tinyhushSystems } from './lib/systems.mjs';
import { summarize, timeInterleaved } from './lib/timing.mjs';
import { readMono } from './lib/tinyhush-api.mjs';

const started = performance.now();
const { values: options } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '60' },
    files: { type: 'string', default: '24' },
    'skip-kernels': { type: 'boolean', default: false },
    'skip-quality': { type: 'boolean', default: false },
    systems: { type: 'string', default: '' },
    name: { type: 'string', default: 'latest' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (options.help) {
  console.log(`Usage: node bench/run.mjs [--rounds N] [--seconds S] [--files N] [--skip-kernels] [--skip-quality]
                          [--systems REGEX] [--name NAME]
Writes bench/results/NAME.{json,md} (default latest) and the quality-vs-cost plot; see bench/README.md.`);
  process.exit(0);
}
const selected = (system) => new RegExp(options.systems).test(system.id);
const rounds = Number(options.rounds);
const seconds = Number(options.seconds);
const fileLimit = Number(options.files);
const log = (line) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);
const workDir = join(tmpdir(), 'tinyhush-bench');
await mkdir(workDir, { recursive: true });
await mkdir(resultsDir, { recursive: true });

/** Section 1, from the WASM engineer's kernel benchmark. */
async function kernels() {
  if (options['skip-kernels']) return { error: 'skipped (--skip-kernels)' };
  try {
    const { benchBothBuilds } = await import('./kernels.mjs');
    return { rows: await benchBothBuilds() };
  } catch (error) {
    return { error: error.message };
  }
}

/** The streaming input: the test set's first 60 s stream, else the synthetic signal. */
async function endToEndInput() {
  const stream = join(testsetDir, 'streams/noisy/00.wav');
  if (existsSync(stream)) {
    const samples = await readMono(stream, 16000);
    if (samples.length >= seconds * 16000) return { samples: samples.subarray(0, seconds * 16000), source: relative(repoRoot, stream) };
  }
  return { samples: noisySpeechLike({ seconds }).noisy, source: 'synthetic noisy speech-like signal (bench/lib/synthetic.mjs)' };
}

/** tinyhush systems, or why there are none. */
async function tinyhushOrReason() {
  try {
    const systems = await tinyhushSystems();
    return systems.length ? { systems } : { systems: [], reason: `no .thm model files in ${modelsDir}` };
  } catch (error) {
    return { systems: [], reason: error.message };
  }
}

async function endToEnd(tinyhush, peers) {
  const input = await endToEndInput();
  const runnable = [...tinyhush.systems, ...peers.filter((p) => !p.unavailableReason)];
  const notMeasured = [
    ...(tinyhush.reason ? [{ id: 'tinyhush', reason: tinyhush.reason }] : []),
    ...peers.filter((p) => p.unavailableReason).map((p) => ({ id: p.id, reason: p.unavailableReason })),
  ];
  log(`end to end: ${runnable.length} systems, ${rounds} rounds of ${seconds} s`);
  const samples = await timeInterleaved(runnable, input.samples, { rounds, warmupSeconds: 5, onProgress: log });
  const audioSeconds = input.samples.length / 16000;
  const systems = runnable.map((s) => summarize(s, samples.get(s.id), audioSeconds));
  const probeInput = join(workDir, 'e2e-input.f32');
  await writeProbeInput(probeInput, input.samples);
  for (const summary of systems) {
    try {
      summary.memory = await probeMemory(summary.id, probeInput);
    } catch (error) {
      summary.memory = null;
      log(`memory probe of ${summary.id} failed: ${error.message}`);
    }
  }
  const ratios = systems.filter((t) => t.kind === 'tinyhush').flatMap((t) => systems.filter((p) => p.kind === 'peer')
    .map((p) => ({ tinyhush: t.label, peer: p.label, cpuRatio: t.cpuSecondsPerSecond / p.cpuSecondsPerSecond })));
  return { input: { source: input.source, seconds: audioSeconds }, rounds, systems, ratios, notMeasured };
}

async function quality(tinyhush, peers, e2e) {
  if (options['skip-quality']) return { skipped: 'skipped (--skip-quality)' };
  await ensureTestset(testsetDir, log);
  const files = await testFiles(testsetDir, fileLimit);
  const dnsmosDir = join(sharedDir, 'models/dnsmos');
  const hasDnsmos = existsSync(join(dnsmosDir, 'sig_bak_ovr.onnx'));
  const systems = [noisyInput, ...tinyhush.systems, ...peers.filter((p) => !p.unavailableReason)];
  const scored = await scoreSystems(systems, { testsetDir, files, workDir, dnsmosDir: hasDnsmos ? dnsmosDir : undefined, log });
  const measure = hasDnsmos ? 'DNSMOS OVRL' : 'SI-SDR (dB)';
  const value = (s) => (hasDnsmos ? s.mean?.dnsmos?.ovrl : s.mean?.sisdr);
  // Say so wherever every tinyhush system scores below a peer.
  const tinyhushScores = scored.filter((s) => s.kind === 'tinyhush').map(value).filter(Number.isFinite);
  const bestTinyhush = Math.max(...tinyhushScores);
  for (const s of scored) if (tinyhushScores.length && s.kind === 'peer' && value(s) > bestTinyhush) s.behind = `tinyhush behind (best tinyhush ${measure} ${bestTinyhush.toFixed(2)})`;
  const cost = new Map(e2e.systems.map((s) => [s.id, s]));
  const points = scored.filter((s) => cost.has(s.id) && Number.isFinite(value(s))).map((s) => ({
    label: s.label, kind: s.kind, quality: value(s),
    macsPerSecond: cost.get(s.id).macsPerSecond, cpuSecondsPerSecond: cost.get(s.id).cpuSecondsPerSecond,
  }));
  const plot = { svg: `${options.name === 'latest' ? '' : `${options.name}-`}quality-vs-cost.svg` };
  if (points.length) {
    await writeFile(join(resultsDir, plot.svg), renderQualityPlot(points, measure));
    const png = plot.svg.replace(/svg$/, 'png');
    const pngError = await svgToPng(join(resultsDir, plot.svg), join(resultsDir, png)).catch((e) => e.message);
    if (pngError) plot.pngError = pngError;
    else plot.png = png;
  }
  return { testsetDir: relative(repoRoot, testsetDir), files: files.length, measure, systems: scored, plot };
}

const tinyhush = await tinyhushOrReason();
tinyhush.systems = tinyhush.systems.filter(selected);
const peers = peerSystems().filter(selected);
const results = { command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim() };
log('kernels');
results.kernels = await kernels();
results.endToEnd = await endToEnd(tinyhush, peers);
results.quality = await quality(tinyhush, peers, results.endToEnd);
log('denormal storm');
results.denormals = await benchDenormals({ rounds }).then((rows) => ({ rows }), (error) => ({ error: error.message }));
log('many streams');
results.streams = await Promise.all([benchStreamsPerCore(), benchStreamMemory()])
  .then(([perCore, memory]) => ({ ...perCore, memory }), (error) => ({ error: error.message }));
results.machine = describeMachine();
results.elapsedSeconds = (performance.now() - started) / 1000;
await writeFile(join(resultsDir, `${options.name}.json`), `${JSON.stringify(results, null, 2)}\n`);
await writeFile(join(resultsDir, `${options.name}.md`), renderMarkdown(results));
log(`wrote ${join(resultsDir, `${options.name}.md`)}`);

#!/usr/bin/env node
// Measures the runtime exit policies on 60 s streams that alternate easy stretches (clean speech,
// silence) with hard ones (noisy speech): MACs per second, exit use and changes, SI-SDR, STOI,
// ESTOI and DNSMOS of each policy, as a Markdown table. Uses the built package (`npm run build`).
//
//   node scripts/measure-policies.mjs [--model models/nsnet-ee-f32.thm] [--streams DIR]
//     [--dnsmos DIR | --no-dnsmos] [--adaptive JSON] [--sweep JSON] [--readme training/README.md]
//
// --streams DIR holds clean/NN.wav and noisy/NN.wav (default ../cache/testset-v2/streams next to the
// clone, or $TINYHUSH_CACHE_DIR/testset-v2/streams; built by training/make_testset.py; tune on
// validation streams instead, see training/README.md "Exit policies"). --dnsmos defaults to
// models/dnsmos in the shared folder (../shared, or $TINYHUSH_SHARED_DIR). --adaptive overrides adaptive tunables, e.g. '{"minNoiseFraction":0.35}'.
// --sweep '[{…}, …]' measures only the full exit and the adaptive policy with each of these overrides
// (one row each: how the defaults were tuned on validation streams; an entry with its own kind, e.g.
// { "kind": "budget", "macsPerSecond": 69e6 }, runs as it is). --readme replaces the table
// between the policy-table markers of that file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, sharedDir } from '../bench/lib/paths.mjs';
import { createDenoiser, readWavFile, writeWavFile } from '../dist/node.js';

const cacheDir = process.env.TINYHUSH_CACHE_DIR ?? resolve(repoRoot, '../cache');

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/nsnet-ee-f32.thm' },
    streams: { type: 'string', default: join(cacheDir, 'testset-v2', 'streams') },
    dnsmos: { type: 'string', default: join(sharedDir, 'models', 'dnsmos') },
    'no-dnsmos': { type: 'boolean', default: false },
    adaptive: { type: 'string', default: '{}' },
    sweep: { type: 'string' },
    readme: { type: 'string' },
  },
});
const RATE = 16000;
const MARK_START = '<!-- policy-table:start -->';
const MARK_END = '<!-- policy-table:end -->';

/** Denoises one stream with the latency removed (output aligned with the input, same length). */
function denoise(audio, options) {
  const denoiser = createDenoiser({ model: args.model, sampleRate: RATE, ...options });
  const processed = denoiser.process(audio);
  const tail = denoiser.flush()[0];
  const out = new Float32Array(audio.length);
  out.set(processed.subarray(denoiser.latencySamples));
  out.set(tail.subarray(0, audio.length - (processed.length - denoiser.latencySamples)), processed.length - denoiser.latencySamples);
  const telemetry = denoiser.telemetry();
  const resolved = denoiser.policy;
  denoiser.dispose();
  return { out, telemetry, resolved };
}

/** Scores the WAV files of `dir` against the clean streams (the CLI's eval, through the build). */
async function score(label, dir) {
  const json = `${dir}.json`;
  const evalArgs = ['bin/tinyhush.js', 'eval', '--clean', join(streamsDir, 'clean'), '--enhanced', dir, '--json', json];
  if (dnsmosDir) evalArgs.push('--dnsmos', dnsmosDir);
  const run = spawnSync(process.execPath, evalArgs, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`eval failed for ${label}: ${run.stderr}`);
  return JSON.parse(await readFile(json, 'utf8'));
}

/** Runs one policy over every stream; returns summed telemetry and the scores of the outputs. */
async function measure(label, options, streams) {
  const dir = join(work, label.replace(/[^a-z0-9]+/gi, '-'));
  await mkdir(dir, { recursive: true });
  const total = { macs: 0, seconds: 0, changes: 0, frames: 0, histogram: null };
  let resolved;
  for (const { name, noisy } of streams) {
    const { out, telemetry: t, resolved: r } = denoise(noisy, options);
    resolved = r;
    total.macs += t.macs;
    total.seconds += t.audioSeconds;
    total.changes += t.exitChanges;
    total.frames += t.frames;
    total.histogram = total.histogram ? total.histogram.map((v, i) => v + t.exitHistogram[i]) : [...t.exitHistogram];
    await writeWavFile(join(dir, name), { sampleRate: RATE, format: 'f32le', channels: [out] });
  }
  return { label, resolved, total, report: await score(label, dir) };
}

const fmt = (v, digits = 2) => v.toFixed(digits);

const TABLE_HEAD = [
  '| policy | MMAC/s | vs full | budget target (error) | exit use 0/1/2 (%) | exit changes/s | SI-SDR (dB) | Δ vs full | STOI | ESTOI | DNSMOS SIG / BAK / OVRL |',
  '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|',
];

/** One Markdown table row; `full` is the full exit's row (the reference for Δ and the MAC ratio). */
function tableRow({ label, resolved, total, report }, full) {
  const m = report.mean.enhanced;
  const dnsmos = m.dnsmos ? `${fmt(m.dnsmos.sig)} / ${fmt(m.dnsmos.bak)} / ${fmt(m.dnsmos.ovrl)}` : 'n/a';
  const scores = `${fmt(m.sisdr)} | ${fmt(m.sisdr - full.report.mean.enhanced.sisdr)} | ${fmt(m.stoi, 3)} | ${fmt(m.estoi, 3)} | ${dnsmos}`;
  if (total === undefined) return `| ${label} | - | - | - | - | - | ${scores} |`;
  const rate = total.macs / total.seconds;
  const fullRate = full.total.macs / full.total.seconds;
  const target = resolved.kind === 'budget'
    ? `${fmt(resolved.macsPerSecond / 1e6)} (${fmt(100 * (rate / resolved.macsPerSecond - 1), 2)} %)` : '';
  const use = total.histogram.map((n) => fmt((100 * n) / total.frames, 0)).join(' / ');
  return `| ${label} | ${fmt(rate / 1e6)} | ${fmt(100 * (rate / fullRate - 1), 1)} % | ${target} | ${use} | `
    + `${fmt(total.changes / total.seconds)} | ${scores} |`;
}

const work = await mkdtemp(join(tmpdir(), 'tinyhush-policies-'));
const streamsDir = args.streams;
const dnsmosDir = args['no-dnsmos'] || !existsSync(join(args.dnsmos, 'sig_bak_ovr.onnx')) ? undefined : args.dnsmos;
/** One row per adaptive override in `sweep`, after the full exit's row (no DNSMOS needed). */
async function sweepTable(sweep, adaptive, streams, last) {
  const full = await measure(`fixed exit ${last}`, { policy: { kind: 'fixed', exit: last } }, streams);
  console.log([...TABLE_HEAD, tableRow(full, full)].join('\n'));
  for (const overrides of sweep) {
    const policy = overrides.kind && overrides.kind !== 'adaptive' ? overrides : { ...adaptive, ...overrides };
    console.log(tableRow(await measure(JSON.stringify(overrides), { policy }, streams), full));
  }
}

/** Every fixed exit, the adaptive policy, and budgets at its rate and halfway; printed and, with --readme, written. */
async function policyTable(adaptive, streams, exits) {
  const last = exits.length - 1;
  const rows = [{ label: 'noisy input', report: await score('noisy input', join(streamsDir, 'noisy')) }];
  for (let exit = 0; exit <= last; exit++) rows.push(await measure(`fixed exit ${exit}`, { policy: { kind: 'fixed', exit } }, streams));
  const full = rows[rows.length - 1];
  const adaptiveRow = await measure('adaptive', { policy: adaptive }, streams);
  rows.push(adaptiveRow);
  rows.push(await measure('adaptive, reset-on-resume', { policy: adaptive, skippedState: 'reset' }, streams));
  // The adaptive policy's average compute, spread by the budget policy without looking at the audio.
  const sameCompute = { kind: 'budget', macsPerSecond: adaptiveRow.total.macs / adaptiveRow.total.seconds };
  rows.push(await measure('budget = adaptive MAC/s', { policy: sameCompute }, streams));
  rows.push(await measure('budget = adaptive MAC/s, reset-on-resume', { policy: sameCompute, skippedState: 'reset' }, streams));
  const halfway = { kind: 'budget', macsPerSecond: (100 * (exits[0].macsPerFrame + exits[last].macsPerFrame)) / 2 };
  rows.push(await measure('budget halfway exit 0…full', { policy: halfway }, streams));
  rows.push(await measure('budget halfway, reset-on-resume', { policy: halfway, skippedState: 'reset' }, streams));

  const table = [
    `Streams: ${streamsDir} (${streams.length} × ${fmt(streams[0].noisy.length / RATE, 0)} s), model ${args.model}.`,
    `Adaptive settings: ${JSON.stringify(adaptiveRow.resolved)}.`,
    '',
    ...TABLE_HEAD,
    ...rows.map((row) => tableRow(row, full)),
  ].join('\n');
  console.log(table);
  if (args.readme) {
    const text = await readFile(args.readme, 'utf8');
    const start = text.indexOf(MARK_START);
    const end = text.indexOf(MARK_END);
    if (start < 0 || end < start) throw new Error(`${args.readme} lacks the ${MARK_START} … ${MARK_END} markers`);
    await writeFile(args.readme, `${text.slice(0, start + MARK_START.length)}\n${table}\n${text.slice(end)}`);
  }
}

try {
  const names = (await readdir(join(streamsDir, 'noisy'))).filter((n) => n.endsWith('.wav')).sort();
  const streams = await Promise.all(names.map(async (name) => ({ name, noisy: (await readWavFile(join(streamsDir, 'noisy', name))).channels[0] })));
  const probe = createDenoiser({ model: args.model, sampleRate: RATE });
  const exits = probe.exits;
  probe.dispose();
  const adaptive = { kind: 'adaptive', ...JSON.parse(args.adaptive) };
  if (args.sweep) await sweepTable(JSON.parse(args.sweep), adaptive, streams, exits.length - 1);
  else await policyTable(adaptive, streams, exits);
} finally {
  await rm(work, { recursive: true, force: true });
}

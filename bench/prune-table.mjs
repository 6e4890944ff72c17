/**
 * Pruned integer models on the held-out test split (issue 15; docs/sparsity.md): per pruning kind
 * and sparsity an offline model made by `tinyhush prune` and any learned model given as a file,
 * beside the dense int8 model it was pruned from and the float model. For each: file size, MACs
 * and CPU time per frame at exit 0 and the full exit as ratios to dense int8 in the same run
 * (bench/lib/frame-timing.mjs), and the test-split scores (bench/lib/model-quality.mjs: SI-SDR,
 * STOI, ESTOI; DNSMOS for the systems named). Writes bench/results/NAME.{json,md} and the plot
 * NAME.{svg,png} (full-exit SI-SDR against file size). Offline models and scores are kept, so a
 * rerun continues.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { timeModelFrames } from './lib/frame-timing.mjs';
import { describeMachine } from './lib/machine.mjs';
import { fmt, measureModel, ovrlCell, scoreCells, writeParetoPlot } from './lib/model-quality.mjs';
import { repoRoot, resultsDir, sharedDir, testsetDir } from './lib/paths.mjs';
import { parseKinds, parseLearned, parseSparsities, percent, pruneSystems, tableRows } from './lib/prune-systems.mjs';
import { testFiles } from './lib/quality.mjs';
import { importSource } from './lib/src-module.mjs';
import { loadTinyhush } from './lib/tinyhush-api.mjs';

const USAGE = `Usage: node bench/prune-table.mjs [--int FILE] [--float FILE] [--kinds LIST] [--sparsities LIST]
                                [--learned KIND:S=FILE]... [--files N] [--dnsmos LIST] [--name NAME]
                                [--out-models DIR] [--frames N] [--rounds N] [--build simd|relaxed-simd]
  --int FILE          the dense integer model that is pruned (default models/nsnet-ee-int8.thm)
  --float FILE        the float model it was quantized from: the fidelity reference of the offline
                      pruning and a row of the table (default models/nsnet-ee-f32.thm)
  --kinds LIST        offline pruning kinds (default weight,block,unit)
  --sparsities LIST   offline sparsities (default 0.5,0.75,0.9,0.95)
  --learned KIND:S=FILE  a learned pruned model (training/quant/train_pruned.py), e.g.
                      block:0.9=block90.thm; repeatable
  --files N           N test files spread over noise sources and SNRs (default: all)
  --dnsmos LIST       systems also scored by DNSMOS (slow), e.g. int8,block90,learned-block90
  --name NAME         write bench/results/NAME.{json,md,svg,png} (default prune-table)
  --out-models DIR    where the offline models and sensitivity curves are kept (default: a folder
                      in the OS temporary folder); models already there are reused
  --frames N          frames per timing pass (default 200)
  --rounds N          interleaved timing rounds (default 25)
  --build B           WASM build timed: simd (default) or relaxed-simd
Systems are named float, int8, KIND+percent (offline, e.g. block90) and learned-KIND+percent.
See bench/README.md.`;

const started = performance.now();
const { values: options } = parseArgs({
  options: {
    int: { type: 'string', default: join(repoRoot, 'models/nsnet-ee-int8.thm') },
    float: { type: 'string', default: join(repoRoot, 'models/nsnet-ee-f32.thm') },
    kinds: { type: 'string', default: 'weight,block,unit' },
    sparsities: { type: 'string', default: '0.5,0.75,0.9,0.95' },
    learned: { type: 'string', multiple: true, default: [] },
    files: { type: 'string', default: 'all' },
    dnsmos: { type: 'string', default: '' },
    name: { type: 'string', default: 'prune-table' },
    'out-models': { type: 'string' },
    frames: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '25' },
    build: { type: 'string', default: 'simd' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const log = (line) => console.error(`[prune-table ${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);
const cli = join(repoRoot, 'bin/tinyhush.js');
const workDir = join(tmpdir(), 'tinyhush-prune-table');
const modelsDir = resolve(options['out-models'] ?? join(workDir, 'models'));
const cacheDir = join(workDir, 'cache');
const dnsmosDir = join(sharedDir, 'models/dnsmos');
await Promise.all([modelsDir, cacheDir, resultsDir].map((dir) => mkdir(dir, { recursive: true })));

const systems = pruneSystems({
  kinds: parseKinds(options.kinds), sparsities: parseSparsities(options.sparsities), learned: parseLearned(options.learned),
});
const dnsmosNames = new Set(options.dnsmos.split(',').filter(Boolean));
for (const key of dnsmosNames) if (!systems.some((s) => s.key === key)) throw new Error(`--dnsmos: no system '${key}'`);
const intName = basename(options.int, '.thm');

/** The model file of a system (offline ones in the kept folder). */
function modelFile(system) {
  if (system.kind === 'float') return resolve(options.float);
  if (system.kind === 'int8') return resolve(options.int);
  if (system.method === 'learned') return resolve(system.file);
  return join(modelsDir, `${intName}-${system.kind}${percent(system.sparsity)}.thm`);
}

/**
 * Makes the offline models that are not in the kept folder yet, one `tinyhush prune` each: fidelity
 * to the float model on the default audio; the sensitivity curves of a kind measured by its first
 * model and reused by the others (sens-KIND.json beside the models).
 */
async function makeOfflineModels() {
  for (const system of systems.filter((s) => s.method === 'offline')) {
    const out = modelFile(system);
    if (existsSync(out)) continue;
    const t0 = performance.now();
    await promisify(execFile)(process.execPath, [cli, 'prune', options.int, '--kind', system.kind, '--sparsity', String(system.sparsity),
      '--reference', options.float, '--seconds', '4', '--sensitivity', join(modelsDir, `sens-${system.kind}.json`),
      '--out', `${out}.part`], { maxBuffer: 1 << 24 });
    await rename(`${out}.part`, out); // a run cut short leaves no file that looks finished
    log(`${system.key}: pruned in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
}

/** CPU time and MACs per frame of every model, interleaved in one run; by system key. */
async function timeAll(files) {
  const [{ createCore }, { createEngine }, { readModel }] = await Promise.all(
    ['wasm/core', 'engine/engine', 'model/read'].map((path) => importSource(path)));
  const models = systems.map((s, i) => ({ name: s.key, model: readModel(files[i]) }));
  const { load, rows } = timeModelFrames({ createCore, createEngine, build: options.build }, models,
    { frames: Number(options.frames), rounds: Number(options.rounds) });
  return { load, byKey: new Map(rows.map((row) => [row.name, row])) };
}

/** A command-line argument without this machine's paths: files in the repository relative to it, others as `…/NAME`. */
function portable(arg) {
  const [, prefix, path] = /^(.*=)?(.*)$/s.exec(arg);
  if (!isAbsolute(path)) return arg;
  const inside = relative(repoRoot, path);
  return `${prefix ?? ''}${inside.startsWith('..') ? `…/${basename(path)}` : inside}`;
}

/** The report in Markdown. */
function markdown(results) {
  const int8 = results.rows.find((r) => r.key === 'int8');
  const t = results.timing;
  const sparsity = (r) => (r.sparsity === undefined ? '' : `${percent(r.sparsity)} %`);
  const lines = [
    `# Pruned models on the test split: ${results.int}`, '',
    `Command: \`${results.command}\``, '',
    `${results.files} files of \`${results.testsetDir}\`. Offline: \`tinyhush prune ${basename(results.int)} --kind K --sparsity S `
      + `--reference ${basename(results.float)} --seconds 4 --sensitivity sens-K.json\` (fidelity to the float model on the first 4 s `
      + 'of examples/noisy-sample.wav; the curves measured once per kind); learned: the files given. Size: bytes of the .thm file. '
      + 'MACs: counted by the kernels per frame. Time: median CPU µs per frame of '
      + `${t.rounds} interleaved rounds of ${t.frames} frames of random features (\`engine.run\`, ${t.build} build), as a ratio to `
      + `dense int8 in the same run (int8: ${fmt(int8?.microsPerFrame.exit0, 1)} / ${fmt(int8?.microsPerFrame.full, 1)} µs at exit 0 / full); `
      + `load average ${t.load.map((l) => l.toFixed(1)).join(' → ')}. Exits: 0 and ${int8?.fullExit ?? 'full'} (full). `
      + 'DNSMOS OVRL where run (exit 0 / full).', '',
    '| system | kind | S | method | size (bytes) | × int8 | MACs e0 | MACs full | time × int8 e0 | time × int8 full '
      + '| SI-SDR e0 | STOI e0 | ESTOI e0 | SI-SDR full | STOI full | ESTOI full | DNSMOS OVRL |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.rows.map((r) => `| ${r.key} | ${r.kind} | ${sparsity(r)} | ${r.method} | ${r.sizeBytes ?? '–'} | ${fmt(r.sizeRatio, 3)} | `
      + `${fmt(r.macsPerFrame.exit0, 0)} | ${fmt(r.macsPerFrame.full, 0)} | ${fmt(r.timeRatio.exit0, 2)} | ${fmt(r.timeRatio.full, 2)} | `
      + `${[...scoreCells(r.exit0), ...scoreCells(r.full)].join(' | ')} | ${ovrlCell(r)} |`),
    '', `Plot: \`${results.plot.svg}\`${results.plot.png ? `, \`${results.plot.png}\`` : ` (no PNG: ${results.plot.pngError})`}.`,
    `Elapsed: ${fmt(results.elapsedSeconds, 0)} s on ${results.machine.cpuModel}.`, '',
  ];
  for (const r of results.rows.filter((row) => row.exit0?.error || row.full?.error)) {
    lines.push(`- ${r.key} NOT scored: ${r.exit0?.error ?? ''} ${r.full?.error ?? ''}`);
  }
  return `${lines.join('\n')}\n`;
}

const KIND_COLORS = { weight: '#1f6fb2', block: '#2e7d32', unit: '#8e24aa' };

/** Full-exit SI-SDR against file size: a line per kind and method (learned hollow, dashed), float and int8 labelled. */
function writePlot(results) {
  const scored = results.rows.filter((r) => Number.isFinite(r.full?.sisdr));
  const point = (r) => ({ x: r.sizeBytes / 1000, y: r.full.sisdr });
  const series = Object.entries(KIND_COLORS).flatMap(([kind, color]) => ['offline', 'learned'].map((method) => ({
    label: `${kind}, ${method}`, color, hollow: method === 'learned',
    points: scored.filter((r) => r.kind === kind && r.method === method).map((r) => ({ ...point(r), label: `${percent(r.sparsity)}` })),
  }))).filter((s) => s.points.length > 0);
  const references = scored.filter((r) => r.method === 'reference').map((r) => ({ ...point(r), label: r.key }));
  if (series.length + references.length === 0) return Promise.resolve({ svg: '', pngError: 'nothing scored yet' });
  return writeParetoPlot(options.name, {
    title: `${intName} pruned: ${results.files} test files (full exit; labels: sparsity %)`,
    xLabel: 'model file size (kB)',
    yLabel: 'SI-SDR on the test split, full exit (dB)',
    evaluated: [], front: [], series, references, referenceLabel: 'unpruned',
  });
}

await makeOfflineModels();
const fileBytes = await Promise.all(systems.map(async (s) => new Uint8Array(await readFile(modelFile(s)))));
log(`timing ${systems.length} models (${options.rounds} rounds of ${options.frames} frames)`);
const timing = await timeAll(fileBytes);
const api = await loadTinyhush();
const testFileNames = await testFiles(testsetDir, options.files === 'all' ? Infinity : Number(options.files));
log(`${systems.length} systems × 2 exits on ${testFileNames.length} files of ${testsetDir}; models in ${modelsDir}`);
const quality = new Map();

/** Writes the report of what is measured so far (after each system: a run cut short leaves one). */
async function writeResults() {
  const results = {
    command: `node bench/prune-table.mjs ${process.argv.slice(2).map(portable).join(' ')}`.trim(),
    int: relative(repoRoot, resolve(options.int)),
    float: relative(repoRoot, resolve(options.float)),
    testsetDir: relative(repoRoot, testsetDir),
    files: testFileNames.length,
    timing: { build: options.build, frames: Number(options.frames), rounds: Number(options.rounds), load: timing.load },
    rows: tableRows(systems, quality, timing.byKey).map(({ file, ...row }) => ({
      ...row, file: portable(file ?? modelFile(row)), exits: timing.byKey.get(row.key)?.exits,
    })),
    machine: describeMachine(),
  };
  results.plot = await writePlot(results);
  results.elapsedSeconds = (performance.now() - started) / 1000;
  await writeFile(join(resultsDir, `${options.name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(resultsDir, `${options.name}.md`), markdown(results));
}
// int8 and float first: what the others are compared with.
for (const [i, system] of systems.map((s, i) => [i, s]).sort(([, a], [, b]) => (b.method === 'reference') - (a.method === 'reference'))) {
  quality.set(system.key, await measureModel(api, {
    key: system.key, name: system.key, bytes: fileBytes[i], files: testFileNames, testsetDir, workDir, cacheDir, log,
    dnsmosDir: dnsmosNames.has(system.key) ? dnsmosDir : undefined,
  }));
  await writeResults();
}
log(`wrote ${join(resultsDir, `${options.name}.md`)}`);

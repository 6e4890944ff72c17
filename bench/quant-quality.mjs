/**
 * Integer models on the held-out test split: the float model, every homogeneous point (w2…w8) and
 * the chosen front points of a `pareto.json` (`tinyhush quantize --search`), each exported with its
 * own bits and scales by `tinyhush quantize --from`, run at exit 0 and the full exit over the test
 * files and scored by `tinyhush eval` (SI-SDR, STOI, ESTOI; DNSMOS for the systems named). Writes
 * bench/results/NAME.{json,md} and the plot NAME.{svg,png} (full-exit SI-SDR against file size).
 * Finished systems are cached (keyed by the model's bytes, the files and DNSMOS), so a rerun
 * continues. Nothing here selects or tunes anything: the split is only measured.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { describeMachine } from './lib/machine.mjs';
import { repoRoot, resultsDir, sharedDir, testsetDir } from './lib/paths.mjs';
import { fmt, measureModel, ovrlCell, scoreCells, signed, writeParetoPlot } from './lib/model-quality.mjs';
import { testFiles } from './lib/quality.mjs';
import { loadTinyhush } from './lib/tinyhush-api.mjs';

const USAGE = `Usage: node bench/quant-quality.mjs --pareto FILE [--float FILE] [--points 0,3,7|all] [--files N]
                                  [--name NAME] [--dnsmos NAME,NAME] [--out-models DIR]
  --pareto FILE      pareto.json of tinyhush quantize --search (searched for --float)
  --float FILE       the float model (default models/nsnet-ee-f32.thm)
  --points LIST      front points to measure, e.g. 0,3,7, or all (default); the float model and
                     every homogeneous point are always measured
  --files N          N test files spread over noise sources and SNRs (default: all)
  --name NAME        write bench/results/NAME.{json,md,svg,png} (default quant-quality)
  --dnsmos LIST      systems also scored by DNSMOS (slow), e.g. float,w8,p7
  --out-models DIR   keep the exported integer models there (default: a temporary folder)
  --model KEY=FILE   also measure a finished integer model (e.g. a quantization-aware fine-tune
                     of a front point: mp=models/nsnet-ee-mp.thm); repeatable
  --only LIST        measure only these systems (e.g. to share a run between processes: the cache
                     is shared, and a last run without --only writes the whole report)
Systems are named float, w2…w8 (homogeneous) and pK (front point K). See bench/README.md.`;

const started = performance.now();
const { values: options } = parseArgs({
  options: {
    pareto: { type: 'string' },
    float: { type: 'string', default: join(repoRoot, 'models/nsnet-ee-f32.thm') },
    points: { type: 'string', default: 'all' },
    files: { type: 'string', default: 'all' },
    name: { type: 'string', default: 'quant-quality' },
    dnsmos: { type: 'string', default: '' },
    'out-models': { type: 'string' },
    only: { type: 'string' },
    model: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (options.help || options.pareto === undefined) {
  console.log(USAGE);
  process.exit(options.help ? 0 : 2);
}
const log = (line) => console.error(`[quant-quality ${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);
const cli = join(repoRoot, 'bin/tinyhush.js');
const workDir = join(tmpdir(), 'tinyhush-quant-quality');
const modelsDir = resolve(options['out-models'] ?? join(workDir, 'models'));
const cacheDir = join(workDir, 'cache');
const dnsmosDir = join(sharedDir, 'models/dnsmos');
const dnsmosNames = new Set(options.dnsmos.split(',').filter(Boolean));
await Promise.all([modelsDir, cacheDir, resultsDir].map((dir) => mkdir(dir, { recursive: true })));

const report = JSON.parse(await readFile(options.pareto, 'utf8'));
if (report.format !== 'tinyhush-pareto') throw new Error(`${options.pareto} is not a pareto.json of tinyhush quantize --search`);
const floatName = report.settings.model.name;

/** The --model systems: finished integer models measured as they are. */
function givenModels() {
  return options.model.map((given) => {
    const [key, file] = given.split(/=(.*)/s);
    if (!key || !file) throw new Error(`--model ${given}: expected KEY=FILE`);
    return { key, kind: 'given', label: basename(file), file };
  });
}

/**
 * The systems: float, the homogeneous points, the chosen front points, the --model files; the
 * references (float, w8) and the knee first, so that a run cut short has measured what the others
 * are compared with.
 */
function chosenSystems() {
  const all = report.front.map((entry) => entry.point);
  const points = options.points === 'all' ? all : options.points.split(',').map(Number);
  for (const p of points) if (!all.includes(p)) throw new Error(`--points: the front has points 0 to ${all.length - 1}, not ${p}`);
  const systems = [
    { key: 'float', kind: 'float', label: `float (${floatName})` },
    ...[...report.homogeneous].reverse().map((entry) => ({ key: entry.label, kind: 'homogeneous', label: `${entry.label}a16`, entry })),
    ...points.map((p) => ({
      key: `p${p}`, kind: 'front', label: `front point ${p}${p === report.knee ? ' (knee)' : ''}`, entry: report.front[p],
    })),
    ...givenModels(),
  ];
  const first = ['float', 'w8', `p${report.knee}`];
  const rank = (s) => (first.includes(s.key) ? first.indexOf(s.key) : first.length);
  const only = options.only?.split(',');
  return systems.filter((s) => !only || only.includes(s.key)).sort((a, b) => rank(a) - rank(b));
}

/**
 * The model file of a system: the float file, a --model file, or the integer model `tinyhush quantize --from`
 * exports (a homogeneous point through a one-point copy of the report, as the CLI exports front points).
 */
async function modelFile(system) {
  if (system.kind === 'float') return options.float;
  if (system.kind === 'given') return system.file;
  const out = join(modelsDir, `${floatName}-${system.key}.thm`);
  let from = options.pareto;
  let point = system.entry.point;
  if (system.kind === 'homogeneous') {
    from = join(workDir, `${system.key}.pareto.json`);
    point = 0;
    await writeFile(from, JSON.stringify({ ...report, knee: 0, front: [{ point: 0, ...system.entry }], evaluated: [] }));
  }
  await promisify(execFile)(process.execPath, [cli, 'quantize', options.float, '--from', from, '--point', String(point),
    '--out', out, '--name', `${floatName}-${system.key}`], { maxBuffer: 1 << 24 });
  return out;
}

/** Scores (exit 0 and the full exit) of one system, from the cache or measured now. */
async function measure(api, system, files) {
  const bytes = new Uint8Array(await readFile(await modelFile(system)));
  return measureModel(api, {
    key: system.key, name: `${floatName}-${system.key}`, bytes, files, testsetDir, workDir, cacheDir, log,
    dnsmosDir: dnsmosNames.has(system.key) ? dnsmosDir : undefined,
  });
}

/** The report in Markdown: absolute figures, then differences to float and to w8. */
function markdown(results) {
  const float = results.rows.find((r) => r.key === 'float');
  const w8 = results.rows.find((r) => r.key === 'w8');
  const delta = (r, ref) => (ref === undefined ? ['–', '–', '–', '–'] : [
    signed(r.exit0?.sisdr - ref.exit0?.sisdr, 2), signed(r.full?.sisdr - ref.full?.sisdr, 2),
    signed(r.full?.estoi - ref.full?.estoi, 4),
    r.dnsmos && ref.dnsmos ? signed(r.full?.dnsmos?.ovrl - ref.full?.dnsmos?.ovrl, 3) : '',
  ]);
  const lines = [
    `# Integer models on the test split: ${results.float}`, '',
    `Command: \`${results.command}\``, '',
    `${results.files} files of \`${results.testsetDir}\`; front and homogeneous points from \`${results.pareto}\` `
      + `(searched on: ${results.calibration}; front quality there: ${results.quality}). Size: bytes of the .thm file. `
      + `Exits: 0 and ${float?.fullExit ?? 'full'} (full). DNSMOS OVRL where run (exit 0 / full).`, '',
    '| system | size (bytes) | × float | SI-SDR e0 | STOI e0 | ESTOI e0 | SI-SDR full | STOI full | ESTOI full | DNSMOS OVRL | time (s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.rows.map((r) => `| ${r.key}: ${r.label} | ${r.sizeBytes} | ${fmt(r.sizeBytes / float?.sizeBytes, 3)} | `
      + `${[...scoreCells(r.exit0), ...scoreCells(r.full)].join(' | ')} | ${ovrlCell(r)} | ${fmt(r.seconds, 0)} |`),
    '', '## Differences', '',
    '| system | Δ SI-SDR e0 vs float | Δ SI-SDR full vs float | Δ ESTOI full vs float | Δ OVRL full vs float '
      + '| Δ SI-SDR e0 vs w8 | Δ SI-SDR full vs w8 | Δ ESTOI full vs w8 | Δ OVRL full vs w8 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.rows.map((r) => `| ${r.key} | ${[...delta(r, float), ...delta(r, w8)].join(' | ')} |`),
    '', `Plot: \`${results.plot.svg}\`${results.plot.png ? `, \`${results.plot.png}\`` : ` (no PNG: ${results.plot.pngError})`}.`,
    `Elapsed: ${fmt(results.elapsedSeconds, 0)} s on ${results.machine.cpuModel}.`, '',
  ];
  const errors = results.rows.filter((r) => r.exit0?.error || r.full?.error);
  for (const r of errors) lines.push(`- ${r.key} NOT scored: ${r.exit0?.error ?? ''} ${r.full?.error ?? ''}`);
  return `${lines.join('\n')}\n`;
}

/** Full-exit SI-SDR against file size: homogeneous points and float labelled, the front as a line, the knee ringed. */
function writePlot(results) {
  const point = (r) => ({ x: r.sizeBytes / 1000, y: r.full?.sisdr });
  const scored = results.rows.filter((r) => Number.isFinite(r.full?.sisdr));
  const knee = scored.find((r) => r.kind === 'front' && r.entry.point === report.knee);
  return writeParetoPlot(options.name, {
    title: `${floatName}: integer models on ${results.files} test files (full exit)`,
    xLabel: 'model file size (kB)',
    yLabel: 'SI-SDR on the test split, full exit (dB)',
    evaluated: [],
    front: scored.filter((r) => r.kind === 'front').map(point),
    references: scored.filter((r) => r.kind !== 'front').map((r) => ({ ...point(r), label: r.kind === 'float' ? 'float' : r.key })),
    ...(knee && { knee: point(knee) }),
  });
}

const api = await loadTinyhush();
const allFiles = await testFiles(testsetDir, options.files === 'all' ? Infinity : Number(options.files));
const systems = chosenSystems();
log(`${systems.length} systems × 2 exits on ${allFiles.length} files of ${testsetDir}; models in ${modelsDir}`);
const rows = [];
/** Writes the report of the rows measured so far (after each system: a run cut short leaves one). */
async function writeResults() {
  const results = {
    command: `node bench/quant-quality.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    float: relative(repoRoot, resolve(options.float)),
    pareto: basename(options.pareto),
    calibration: relative(repoRoot, resolve(report.settings.calibration)),
    quality: report.quality,
    testsetDir: relative(repoRoot, testsetDir),
    files: allFiles.length,
    rows,
    machine: describeMachine(),
  };
  results.plot = await writePlot(results);
  results.elapsedSeconds = (performance.now() - started) / 1000;
  await writeFile(join(resultsDir, `${options.name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(resultsDir, `${options.name}.md`), markdown(results));
}
for (const system of systems) {
  const { entry, ...rest } = system;
  rows.push({ ...rest, ...(entry && { entry: { point: entry.point, sizeBytes: entry.sizeBytes, quality: entry.quality } }),
    ...(await measure(api, system, allFiles)) });
  await writeResults();
}
log(`wrote ${join(resultsDir, `${options.name}.md`)}`);

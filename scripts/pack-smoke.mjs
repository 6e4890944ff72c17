// Packs tinyhush as `npm publish` would and installs the tarball into a new project in a temporary
// folder, then uses it as a user would: ESM import and CJS require of both entries, TypeScript
// 5 and 7 type-checking a small file (ESM and CJS, `nodenext` and `bundler`, no extra flags),
// `npx tinyhush denoise` on the demo sample. Also checks the tarball with @arethetypeswrong/cli,
// that installing it pulls in no dependency and that it carries no source map or stray file.
// Run from a built checkout (after `npm ci`): node scripts/pack-smoke.mjs [--keep]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: { keep } } = parseArgs({ options: { keep: { type: 'boolean', default: false } } });
/** TypeScript releases the declarations must satisfy (7 is the native compiler, whose `types` default is []). */
const TYPESCRIPT = { ts5: '5.9.3', ts7: '7.0.2' };
const NODE_TYPES = '20.19.43';
/** What the tarball may hold: the bundles, their declarations, the CLI, the models and docs. */
const ALLOWED_FILE = /^(package\.json|README\.md|LICENSE|bin\/tinyhush\.js|(node|web)\/package\.json|models\/[\w-]+\.thm|examples\/(noisy-sample\.wav|README\.md)|docs\/[\w-]+\.md|dist\/(chunks\/)?[\w-]+\.(js|cjs|d\.ts|d\.cts))$/;

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const step = (what) => console.log(`pack-smoke: ${what}`);
const fail = (what) => { throw new Error(`pack-smoke: ${what}`); };

const work = mkdtempSync(join(tmpdir(), 'tinyhush-pack-'));
try {
  // As `npm pack` would (prepack empties dist/ of stale chunks, then the build), with the build's
  // output kept off stdout, which carries the pack's JSON.
  step('npm run prepack, npm run build, npm pack');
  for (const script of ['prepack', 'build']) {
    execFileSync(npm, ['run', script], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  }
  const [packed] = JSON.parse(run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root));
  const tarball = join(work, packed.filename);
  const stray = packed.files.map((f) => f.path).filter((path) => !ALLOWED_FILE.test(path));
  if (stray.length > 0) fail(`unexpected files in the tarball: ${stray.join(', ')}`);
  step(`${packed.filename}: ${packed.files.length} files, ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked`);

  // web-processor is the AudioWorklet module, loaded by URL (audioWorklet.addModule), never imported.
  step('@arethetypeswrong/cli');
  run(process.execPath, [join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'), tarball,
    '--exclude-entrypoints', './web-processor'], root);

  const project = join(work, 'project');
  mkdirSync(project);
  run(npm, ['init', '-y'], project);
  // Denoising needs nothing else; the one optional dependency (@resvg/resvg-js: PNG plots of
  // `tinyhush quantize --search`) is left out, which also checks that nothing else needs it.
  step('npm install the tarball without optional dependencies: it must bring no dependency');
  run(npm, ['install', '--no-audit', '--no-fund', '--omit=optional', tarball], project);
  const installed = readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.'));
  if (installed.join() !== 'tinyhush') fail(`installing the tarball also installed: ${installed.join(', ')}`);
  step(`installed size ${(folderBytes(join(project, 'node_modules')) / 1e6).toFixed(2)} MB`);

  step('ESM import and CJS require');
  const use = (load) => `
    ${load}
    const denoiser = node.createDenoiser({ sampleRate: 48000, channels: 2 });
    const out = denoiser.process([new Float32Array(4800), new Float32Array(4800)]);
    if (out.length !== 2 || out[0].length !== 4800) throw new Error('process() returned the wrong shape');
    if (!(denoiser.telemetry().frames > 0)) throw new Error('no frames ran');
    denoiser.dispose();
    try { core.createDenoiser({ model: new Uint8Array(8), sampleRate: 16000 }); throw new Error('bad model accepted'); }
    catch (error) { if (!(error instanceof node.TinyhushError) || error.code !== 'MODEL_FORMAT') throw error; }
    if (node.listModels().length === 0) throw new Error('no bundled model');`;
  writeFileSync(join(project, 'use.mjs'), use(`import * as core from 'tinyhush'; import * as node from 'tinyhush/node';`));
  writeFileSync(join(project, 'use.cjs'), use(`const core = require('tinyhush'); const node = require('tinyhush/node');`));
  run(process.execPath, ['use.mjs'], project);
  run(process.execPath, ['use.cjs'], project);

  step(`TypeScript ${Object.values(TYPESCRIPT).join(' and ')}`);
  run(npm, ['install', '--no-audit', '--no-fund', '--save-dev', `@types/node@${NODE_TYPES}`,
    ...Object.entries(TYPESCRIPT).map(([alias, version]) => `${alias}@npm:typescript@${version}`)], project);
  const source = `
    import { createDenoiser, TinyhushError, type TelemetryReport } from 'tinyhush';
    import { createDenoiseStream, denoiseFile, type DenoiseFileReport } from 'tinyhush/node';
    const report: Promise<DenoiseFileReport> = denoiseFile('in.wav', 'out.wav', { policy: { kind: 'adaptive' } });
    const stream: NodeJS.ReadWriteStream = createDenoiseStream({ sampleRate: 16000, channels: 1, format: 's16le' });
    const bytes: Uint8Array = new Uint8Array(0);
    const telemetry: () => TelemetryReport = () => createDenoiser({ model: bytes, sampleRate: 16000 }).telemetry();
    export const used = [report, stream, telemetry, TinyhushError];`;
  writeFileSync(join(project, 'esm.mts'), source);
  writeFileSync(join(project, 'cjs.cts'), source);
  writeFileSync(join(project, 'bundler.ts'), source);
  const tsconfig = (name, compilerOptions, files) => writeFileSync(join(project, name),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, ...compilerOptions }, files }));
  tsconfig('tsconfig.node.json', { module: 'nodenext' }, ['esm.mts', 'cjs.cts']);
  tsconfig('tsconfig.bundler.json', { module: 'preserve', moduleResolution: 'bundler' }, ['bundler.ts']);
  for (const alias of Object.keys(TYPESCRIPT)) {
    for (const config of ['tsconfig.node.json', 'tsconfig.bundler.json']) {
      run(process.execPath, [join(project, 'node_modules', alias, 'bin', 'tsc'), '-p', config], project);
    }
  }

  step('npx tinyhush denoise');
  const sample = join(root, 'examples', 'noisy-sample.wav');
  const output = join(project, 'denoised.wav');
  run('npx', ['--no-install', 'tinyhush', 'denoise', sample, output], project);
  if (statSync(output).size !== statSync(sample).size) fail('the denoised file differs in size from its input');
  step('passed');
} finally {
  if (keep) console.log(`pack-smoke: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

function folderBytes(path) {
  return readdirSync(path, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

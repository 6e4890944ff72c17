/**
 * Section 3: every system on the held-out test split, scored by `tinyhush eval` (SI-SDR, STOI,
 * ESTOI, DNSMOS P.835 when its model is present). Outputs are checked for sanity first: a silent,
 * NaN or misaligned output is a harness bug and is reported instead of being scored.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkDenoiserSanity } from './sanity.mjs';
import { repoRoot } from './paths.mjs';
import { readMono, writeMono } from './tinyhush-api.mjs';

const RATE = 16000;
const cli = join(repoRoot, 'bin/tinyhush.js');

/**
 * Builds the test split with the training scripts when it is missing: first the Asterisk prompts
 * (Debian packages, decoded with ffmpeg; training/fetch_asterisk.sh), then the mixtures.
 */
export async function ensureTestset(testsetDir, log) {
  if (existsSync(join(testsetDir, 'noisy'))) return;
  const run = promisify(execFile);
  const asterisk = process.env.TINYHUSH_ASTERISK ?? join(repoRoot, '../cache/asterisk/wav');
  if (!existsSync(asterisk)) {
    log(`fetching the Asterisk prompts into ${join(asterisk, '..')} (training/fetch_asterisk.sh)`);
    await run('sh', [join(repoRoot, 'training/fetch_asterisk.sh'), join(asterisk, '..')], { maxBuffer: 1 << 26 });
  }
  log(`building the test set in ${testsetDir} (training/make_testset.py)`);
  await run('python3', [join(repoRoot, 'training/make_testset.py'), '--out', testsetDir], {
    cwd: join(repoRoot, 'training'),
    maxBuffer: 1 << 24,
  }).catch((error) => {
    throw new Error(`building the test set failed (it needs python3 with numpy, scipy and soundfile: `
      + `python3 -m pip install numpy scipy soundfile): ${error.stderr || error.message}`);
  });
}

/**
 * `limit` test files that stand for the whole split: files sorted by noise source, then SNR, and
 * taken at even steps through that order, so each source and SNR range keeps its share (a prefix
 * by name is random but, at 24 files, left out two sources). All files when `limit` covers them.
 */
export async function testFiles(testsetDir, limit) {
  const lines = (await readFile(join(testsetDir, 'manifest.csv'), 'utf8')).trim().split('\n');
  const column = Object.fromEntries(lines[0].split(',').map((name, i) => [name, i]));
  const rows = lines.slice(1).map((line) => line.split(',')).map((cells) => ({
    file: cells[column.file],
    source: cells[column.noise].split('+')[0].replace(/\/[^/]*$/, ''),
    snr: Number(cells[column.snr_db]),
  }));
  const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  if (limit >= rows.length) return rows.map((r) => r.file).sort(byName);
  rows.sort((a, b) => byName(a.source, b.source) || a.snr - b.snr || byName(a.file, b.file));
  const picked = Array.from({ length: limit }, (_, i) => rows[Math.floor(((i + 0.5) * rows.length) / limit)].file);
  return picked.sort(byName);
}

/** Per-file guard on real audio: finite, not silent, same length. */
function fileProblem(name, input, output) {
  if (output.length !== input.length) return `${name}: ${output.length} samples out, ${input.length} in`;
  let energyIn = 0;
  let energyOut = 0;
  for (let i = 0; i < input.length; i++) {
    if (!Number.isFinite(output[i])) return `${name}: non-finite output at sample ${i}`;
    energyIn += input[i] * input[i];
    energyOut += output[i] * output[i];
  }
  // −40 dB below the noisy input: no denoiser removes that much of a speech mixture.
  return energyOut < energyIn * 1e-4 ? `${name}: output is silent` : null;
}

/** Runs `tinyhush eval` on one folder of enhanced files; resolves to its JSON report. */
async function evaluate(testsetDir, enhancedDir, dnsmosDir, jsonPath) {
  const args = [cli, 'eval', '--clean', join(testsetDir, 'clean'), '--enhanced', enhancedDir, '--json', jsonPath];
  if (dnsmosDir) args.push('--dnsmos', dnsmosDir);
  await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 24 });
  return JSON.parse(await readFile(jsonPath, 'utf8'));
}

/**
 * Denoises the test files with each system and scores them. Scoring of one system (a child
 * process) overlaps with denoising by the next.
 * @returns {Promise<object[]>} per system: `{ id, label, kind, files, sanity, mean }` or `{ …, error }`
 */
export async function scoreSystems(systems, { testsetDir, files, workDir, dnsmosDir, log }) {
  const results = [];
  const pending = [];
  for (const system of systems) {
    const base = { id: system.id, label: system.label, kind: system.kind, files: files.length };
    const sanity = system.kind === 'input' ? null : await checkDenoiserSanity(system.denoise);
    if (sanity && !sanity.ok) {
      log(`${system.id}: NOT scored, sanity check failed: ${sanity.failures.join('; ')}`);
      results.push({ ...base, sanity, error: `sanity check failed: ${sanity.failures.join('; ')}` });
      continue;
    }
    const enhancedDir = join(workDir, system.id);
    await rm(enhancedDir, { recursive: true, force: true });
    await mkdir(enhancedDir, { recursive: true });
    let problem = null;
    for (const name of files) {
      const input = await readMono(join(testsetDir, 'noisy', name), RATE);
      const output = await system.denoise(input);
      problem = fileProblem(name, input, output);
      if (problem) break;
      await writeMono(join(enhancedDir, name), output, RATE);
    }
    if (problem) {
      log(`${system.id}: NOT scored: ${problem}`);
      results.push({ ...base, sanity, error: problem });
      continue;
    }
    log(`${system.id}: ${files.length} files denoised, scoring`);
    const entry = { ...base, sanity };
    results.push(entry);
    pending.push(evaluate(testsetDir, enhancedDir, dnsmosDir, join(workDir, `${system.id}.json`))
      .then((report) => { entry.mean = report.mean.enhanced; })
      .catch((error) => { entry.error = `tinyhush eval failed: ${error.message}`; }));
  }
  await Promise.all(pending);
  return results;
}

/** The unprocessed noisy input as a pseudo-system, so the table shows where every system starts. */
export const noisyInput = {
  id: 'noisy-input',
  label: 'noisy input (unprocessed)',
  kind: 'input',
  denoise: async (x) => Float32Array.from(x),
};

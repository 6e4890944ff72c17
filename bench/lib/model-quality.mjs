/**
 * One model file on the held-out test split, at exit 0 and at its full exit, scored by `tinyhush
 * eval` (SI-SDR, STOI, ESTOI; DNSMOS where asked), with a per-system cache; and the formatting and
 * plot output the reports built on it share (bench/quant-quality.mjs, bench/prune-table.mjs).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resultsDir } from './paths.mjs';
import { scoreSystems } from './quality.mjs';
import { importSource } from './src-module.mjs';
import { policyVariants, tinyhushSystem } from './systems.mjs';

/**
 * Scores of one model (exit 0 and the full exit), from `cacheDir` or measured now. The cache entry
 * is keyed by `key`, the model's bytes, the files and whether DNSMOS ran; only a run that scored
 * both exits is cached.
 * @param api tinyhush/node (bench/lib/tinyhush-api.mjs)
 * @param {{ key: string, name: string, bytes: Uint8Array, files: string[], testsetDir: string,
 *   dnsmosDir?: string, workDir: string, cacheDir: string, log: (line: string) => void }} options
 *   `name`: the model's name in the systems' ids; `dnsmosDir`: score DNSMOS with these models too
 * @returns {Promise<{ sizeBytes: number, tensorBytes: number, exit0: object, full: object,
 *   fullExit: number, dnsmos: boolean, seconds: number }>} `exit0` / `full`: the mean scores or `{ error }`
 */
export async function measureModel(api, { key, name, bytes, files, testsetDir, dnsmosDir, workDir, cacheDir, log }) {
  const withDnsmos = dnsmosDir !== undefined;
  const hash = createHash('sha256').update(bytes).update(files.join(',')).update(String(withDnsmos)).digest('hex').slice(0, 16);
  const cached = join(cacheDir, `${key}-${hash}.json`);
  const base = { sizeBytes: bytes.length, tensorBytes: api.readModel(bytes).header.tensors.reduce((s, t) => s + t.byteLength, 0) };
  if (existsSync(cached)) {
    log(`${key}: cached (${cached})`);
    return { ...base, ...JSON.parse(await readFile(cached, 'utf8')) };
  }
  const t0 = performance.now();
  const probe = api.createDenoiser({ model: bytes, sampleRate: 16000 });
  const exits = probe.exits;
  probe.dispose();
  const last = `exit${exits.length - 1}`;
  const variants = policyVariants(exits).filter((v) => v.id === 'exit0' || v.id === last);
  const systems = variants.map((v) => tinyhushSystem(api, name, bytes, v));
  const scored = await scoreSystems(systems, { testsetDir, files, workDir: join(workDir, 'enhanced'), dnsmosDir, log });
  const [exit0, full] = scored.map((s) => s.mean ?? { error: s.error });
  const result = { exit0, full, fullExit: exits.length - 1, dnsmos: withDnsmos, seconds: (performance.now() - t0) / 1000 };
  if (!exit0.error && !full.error) await writeFile(cached, `${JSON.stringify(result)}\n`);
  log(`${key}: ${result.seconds.toFixed(0)} s, full-exit SI-SDR ${full.sisdr?.toFixed(2)} dB`);
  return { ...base, ...result };
}

/** `value` with `digits` decimals, or '–' when it is not a number. */
export const fmt = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

/** As `fmt`, with a sign. */
export const signed = (value, digits) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '–');

/** SI-SDR, STOI and ESTOI of one exit's mean scores, as table cells. */
export const scoreCells = (scores) => [fmt(scores?.sisdr, 2), fmt(scores?.stoi, 4), fmt(scores?.estoi, 4)];

/** DNSMOS OVRL at exit 0 / the full exit, or '' when DNSMOS did not run for the row. */
export const ovrlCell = (row) => (row.dnsmos ? `${fmt(row.exit0?.dnsmos?.ovrl, 3)} / ${fmt(row.full?.dnsmos?.ovrl, 3)}` : '');

/**
 * Draws `plot` (src/plot/pareto-plot.ts) into bench/results/NAME.svg and NAME.png
 * (src/plot/svg-to-png.ts); a PNG that cannot be made is reported, not fatal.
 * @returns {Promise<{ svg: string, png?: string, pngError?: string }>} file names relative to bench/results
 */
export async function writeParetoPlot(name, plot) {
  const { paretoSvg } = await importSource('plot/pareto-plot');
  const { svgToPng } = await importSource('plot/svg-to-png');
  const svg = paretoSvg(plot);
  const written = { svg: `${name}.svg` };
  await writeFile(join(resultsDir, written.svg), svg);
  try {
    await writeFile(join(resultsDir, `${name}.png`), await svgToPng(svg));
    written.png = `${name}.png`;
  } catch (error) {
    written.pngError = error.message;
  }
  return written;
}

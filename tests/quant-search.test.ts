import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-run.js';
import { InvalidOptionError } from '../src/errors.js';
import { readModel } from '../src/model/read.js';
import { writeWavFile } from '../src/node/wav.js';
import { homogeneousConfig, modelSizeBytes, type BitConfig } from '../src/quant/bit-config.js';
import { readCalibration } from '../src/quant/calibration.js';
import { kneeIndex, paretoFront } from '../src/quant/pareto.js';
import { quantizeModel } from '../src/quant/quantize-model.js';
import type { ParetoReport } from '../src/quant/search-report.js';
import { readSearchState, runSearch, searchSpace, type SearchOptions } from '../src/quant/search.js';

const MODEL = readModel(new Uint8Array(readFileSync('tests/fixtures/golden/gru.thm')));
const HEADER = MODEL.header;

/** A stand-in quality: every width w below 8 bits costs (8 − w)² / 10 dB, so more bits always help. */
const stubQuality = async (bits: BitConfig): Promise<number> => {
  let quality = 0;
  for (const layer of Object.values(bits.layers)) {
    for (const [key, width] of Object.entries(layer)) if (key !== 'bias' && typeof width === 'number') quality -= (8 - Math.min(width, 8)) ** 2 / 10;
  }
  return quality;
};

const OPTIONS: SearchOptions = { model: { name: 'gru', crc32: '00000000' }, population: 6, seed: 7, calibration: 'stub', generations: 3 };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tinyhush-search-'));
}

describe('Pareto front and knee', () => {
  test('the front keeps the points no smaller point beats, smallest first', () => {
    const points = [
      { sizeBytes: 30, quality: 5 }, { sizeBytes: 10, quality: 1 }, { sizeBytes: 20, quality: 4 },
      { sizeBytes: 25, quality: 3 }, { sizeBytes: 20, quality: 2 }, { sizeBytes: 40, quality: 5 },
    ];
    expect(paretoFront(points)).toEqual([points[1], points[2], points[0]]);
  });

  test('the knee is the point farthest above the chord of the scaled front', () => {
    // Chord from (0, 0) to (10, 10): (2, 8) lies 6/√2 above it, (5, 9) only 4/√2.
    const front = [{ sizeBytes: 0, quality: 0 }, { sizeBytes: 2, quality: 8 }, { sizeBytes: 5, quality: 9 }, { sizeBytes: 10, quality: 10 }];
    expect(kneeIndex(front)).toBe(1);
    expect(kneeIndex(front.slice(2))).toBe(1);
  });
});

describe('the search space', () => {
  const space = searchSpace(HEADER);

  test('homogeneous configurations map to genomes and back', () => {
    for (const w of [2, 5, 8]) {
      const config = homogeneousConfig(HEADER, w, 16);
      expect(space.configOf(space.genomeOf(config))).toEqual(config);
    }
    expect(space.references.map((r) => r.label)).toEqual(['w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8']);
  });

  test('repair narrows a table to its pre-activation width', () => {
    const genome = space.genomeOf(homogeneousConfig(HEADER, 8, 16));
    const pre = space.operators.findIndex((op) => op.path.join('.') === 'layers.fc_out.pre');
    const table = space.operators.findIndex((op) => op.path.join('.') === 'layers.fc_out.table');
    genome[pre] = 9;
    genome[table] = 12;
    expect(space.repair!(genome)[table]).toBe(9);
  });
});

describe('runSearch', () => {
  test('scores the homogeneous points, is deterministic for a seed and keeps its state', async () => {
    const [a, b] = [tempDir(), tempDir()];
    try {
      const first = await runSearch(HEADER, OPTIONS, stubQuality, a);
      const second = await runSearch(HEADER, OPTIONS, stubQuality, b);
      expect(second.population).toEqual(first.population);
      expect(second.evaluated).toEqual(first.evaluated);
      expect(first.generation).toBe(3);
      expect(await readSearchState(a)).toEqual(first);
      const space = searchSpace(HEADER);
      for (const { genome } of space.references) {
        const scored = first.evaluated.find((e) => e.genome.join(',') === genome.join(','))!;
        expect(scored.sizeBytes).toBe(modelSizeBytes(MODEL, space.configOf(genome)));
        expect(scored.quality).toBe(await stubQuality(space.configOf(genome)));
      }
      const keys = first.evaluated.map((e) => e.genome.join(','));
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      for (const dir of [a, b]) rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an interrupted search resumes to the same result, and may be extended by more generations', async () => {
    const [whole, broken] = [tempDir(), tempDir()];
    try {
      const unbroken = await runSearch(HEADER, OPTIONS, stubQuality, whole);
      const controller = new AbortController();
      let calls = 0;
      const stopping = async (bits: BitConfig): Promise<number> => {
        if (++calls === 12) controller.abort(new Error('stop'));
        return stubQuality(bits);
      };
      await expect(runSearch(HEADER, OPTIONS, stopping, broken, { signal: controller.signal })).rejects.toThrow('stop');
      const saved = (await readSearchState(broken))!;
      expect(saved.evaluated).toHaveLength(12);
      let rescored = 0;
      const counting = async (bits: BitConfig): Promise<number> => { rescored++; return stubQuality(bits); };
      const resumed = await runSearch(HEADER, OPTIONS, counting, broken);
      expect(resumed.population).toEqual(unbroken.population);
      expect(rescored).toBe(unbroken.evaluated.length - 12);
      const longer = await runSearch(HEADER, { ...OPTIONS, generations: 5 }, stubQuality, broken);
      expect(longer.generation).toBe(5);
    } finally {
      for (const dir of [whole, broken]) rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses a directory that holds a search with other settings', async () => {
    const dir = tempDir();
    try {
      await runSearch(HEADER, { ...OPTIONS, generations: 0 }, stubQuality, dir);
      for (const other of [{ seed: 8 }, { population: 8 }, { calibration: 'other' }, { model: { name: 'gru', crc32: '00000001' } }]) {
        await expect(runSearch(HEADER, { ...OPTIONS, ...other }, stubQuality, dir)).rejects.toThrow(InvalidOptionError);
      }
      writeFileSync(join(dir, 'state.json'), '{"format": "tinyhush-quant-search", "vers');
      await expect(runSearch(HEADER, OPTIONS, stubQuality, dir)).rejects.toThrow(/state.json is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('calibration audio', () => {
  const wav = (path: string, sampleRate: number, length: number, channels = 1) => writeWavFile(path, {
    sampleRate, format: 'f32le', channels: Array.from({ length: channels }, (_, c) => Float32Array.from({ length }, (_, i) => Math.sin(0.01 * i * (c + 1)) / 2)),
  });

  test('pairs: noisy files with the clean file of the same name, downmixed and cut to the first seconds', async () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir, 'noisy'));
      mkdirSync(join(dir, 'clean'));
      await wav(join(dir, 'noisy', 'a.wav'), 16000, 20000, 2);
      await wav(join(dir, 'clean', 'a.wav'), 16000, 19000);
      await wav(join(dir, 'noisy', 'b.wav'), 8000, 4000);
      await wav(join(dir, 'clean', 'b.wav'), 8000, 4000);
      const calibration = await readCalibration(dir, 1);
      expect(calibration.mode).toBe('clean');
      expect(calibration.items.map((i) => [i.name, i.sampleRate, i.noisy.length, i.clean!.length]))
        .toEqual([['a.wav', 16000, 16000, 16000], ['b.wav', 8000, 4000, 4000]]);
      expect(calibration.items[0].noisy[100]).toBeCloseTo((Math.sin(1) + Math.sin(2)) / 4, 6);
      await wav(join(dir, 'noisy', 'c.wav'), 16000, 100);
      await expect(readCalibration(dir, 1)).rejects.toThrow(/clean lacks c.wav/);
      await wav(join(dir, 'clean', 'c.wav'), 8000, 100);
      await expect(readCalibration(dir, 1)).rejects.toThrow(InvalidOptionError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('noisy/ without clean/: every noisy file, scored for fidelity to the float model', async () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir, 'noisy'));
      await wav(join(dir, 'noisy', 'a.wav'), 16000, 20000, 2);
      await wav(join(dir, 'noisy', 'b.wav'), 8000, 4000);
      const calibration = await readCalibration(dir, 1);
      expect(calibration.mode).toBe('fidelity');
      expect(calibration.items.map((i) => [i.name, i.sampleRate, i.noisy.length, i.clean])).toEqual([
        ['a.wav', 16000, 16000, undefined], ['b.wav', 8000, 4000, undefined]]);
      expect(calibration.description).toMatch(/2 noisy files, 1\.5 s, fidelity/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('default: the noisy example, scored for fidelity to the float model', async () => {
    const calibration = await readCalibration(undefined, 1.5);
    expect(calibration.mode).toBe('fidelity');
    expect(calibration.items.map((i) => [i.name, i.noisy.length])).toEqual([['noisy-sample.wav', 24000]]);
    await expect(readCalibration(undefined, 0)).rejects.toThrow(InvalidOptionError);
  });
});

/** Runs the CLI in-process, stderr captured (a terminal or not: a redrawn bar or plain progress lines). */
const cli = (args: string[], isTTY = false) => runCli(args, { isTTY });

describe('tinyhush quantize --search usage', () => {
  const gru = 'tests/fixtures/golden/gru.thm';

  test('help lists the search options; bad combinations and values are usage errors', async () => {
    const help = await cli(['quantize', '--help']);
    for (const option of ['--search', '--out-dir', '--population', '--generations', '--seed', '--seconds', '--from', '--point']) {
      expect(help.stdout).toContain(option);
    }
    const usage = [
      ['--search'], ['--search', '--out-dir', 'x', '--bits', '4'], ['--search', '--out-dir', 'x', '--population', '1'],
      ['--search', '--out-dir', 'x', '--seconds', '0'], ['--search', '--out-dir', 'x', '--seed', '-3'],
      ['--search', '--out-dir', 'x', '--out', 'y.thm'], ['--from', 'p.json', '--out', 'y.thm'],
      ['--from', 'p.json', '--point', '0', '--out', 'y.thm', '--seed', '2'], ['--search', '--out-dir', 'x', '--from', 'p.json'],
    ];
    for (const args of usage) {
      const { code, stderr } = await cli(['quantize', gru, ...args]);
      expect([args, code]).toEqual([args, 2]);
      expect(stderr).toMatch(/^tinyhush: /);
    }
  });
});

/** Each search runs the integer engine for real; on a loaded machine that takes minutes of wall time. */
const SEARCH_TIMEOUT_MS = 400_000;

describe('tinyhush quantize --search (integer engine, a second of audio)', () => {
  const searchArgs = (dir: string, ...more: string[]) => ['quantize', 'tests/fixtures/golden/gru.thm', '--search', '--out-dir', dir,
    '--population', '4', '--seconds', '1', ...more];
  const report = (dir: string) => JSON.parse(readFileSync(join(dir, 'pareto.json'), 'utf8')) as ParetoReport;
  const state = (dir: string) => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as unknown;

  test('writes the front, the plot and the knee; same seed, same front; a resumed search equals an unbroken one', async () => {
    const [whole, resumed] = [tempDir(), tempDir()];
    try {
      const run = await cli(searchArgs(whole, '--generations', '2'));
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('search: finished generation 2/2');
      const front = report(whole);
      expect(front.homogeneous.map((h) => h.label)).toEqual(['w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8']);
      expect(front.front.length).toBeGreaterThan(0);
      for (let i = 1; i < front.front.length; i++) {
        expect(front.front[i].sizeBytes).toBeGreaterThan(front.front[i - 1].sizeBytes);
        expect(front.front[i].quality).toBeGreaterThan(front.front[i - 1].quality);
      }
      // No homogeneous point beats a front point: each is on the front or dominated by it.
      for (const h of front.homogeneous) {
        expect(front.front.some((p) => p.sizeBytes <= h.sizeBytes && p.quality >= h.quality)).toBe(true);
      }
      expect(readFileSync(join(whole, 'pareto.svg'), 'utf8')).toMatch(/<svg[^]*w8[^]*knee/);
      expect([...readFileSync(join(whole, 'pareto.png')).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      const knee = readModel(new Uint8Array(readFileSync(join(whole, 'knee.thm'))));
      expect(knee.header.layers.map((l) => l.op)).toEqual(HEADER.layers.map((l) => `${l.op}-int`));
      expect((knee.header.provenance.quantization as { bits: BitConfig }).bits).toEqual(front.front[front.knee].bits);

      expect((await cli(searchArgs(resumed, '--generations', '1'))).code).toBe(0);
      expect((await cli(searchArgs(resumed, '--generations', '2'))).code).toBe(0);
      expect(state(resumed)).toEqual(state(whole));
      expect(report(resumed)).toEqual(front);
    } finally {
      for (const dir of [whole, resumed]) rmSync(dir, { recursive: true, force: true });
    }
  }, SEARCH_TIMEOUT_MS);

  test('refuses other settings in the same folder; --from exports any front point', async () => {
    const dir = tempDir();
    try {
      const onTerminal = await cli(searchArgs(dir, '--generations', '0'), true);
      expect(onTerminal.code).toBe(0);
      expect(onTerminal.stderr).toMatch(/\rsearch \[#+-*\] generation 0\/0, 7 configurations scored, [\d.]+ s each/);
      const other = await cli(searchArgs(dir, '--generations', '0', '--seed', '2'));
      expect(other.code).toBe(2);
      expect(other.stderr).toContain('holds a search with other settings');
      expect((await cli(searchArgs(dir, '--generations', '0', '--seconds', '2'))).code).toBe(2);

      const front = report(dir);
      const out = join(dir, 'point0.thm');
      const exported = await cli(['quantize', 'tests/fixtures/golden/gru.thm', '--from', join(dir, 'pareto.json'), '--point', '0',
        '--name', 'tiny-mp', '--out', out]);
      expect(exported.code).toBe(0);
      const { bits, scales } = front.front[0];
      expect(new Uint8Array(readFileSync(out))).toEqual(quantizeModel(MODEL, bits, scales, {
        name: 'tiny-mp', description: readModel(new Uint8Array(readFileSync(out))).header.description,
      }));
      const missing = await cli(['quantize', 'tests/fixtures/golden/gru.thm', '--from', join(dir, 'pareto.json'), '--point',
        String(front.front.length), '--out', out]);
      expect(missing.code).toBe(2);
      expect((await cli(['quantize', 'nsnet-ee', '--from', join(dir, 'pareto.json'), '--point', '0', '--out', out])).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, SEARCH_TIMEOUT_MS);
});

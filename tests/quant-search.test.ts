import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionError } from '../src/errors.js';
import { readModel } from '../src/model/read.js';
import { homogeneousConfig, modelSizeBytes, type BitConfig } from '../src/quant/bit-config.js';
import { kneeIndex, paretoFront } from '../src/quant/pareto.js';
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
      for (const other of [{ seed: 8 }, { population: 8 }, { calibration: 'other' }]) {
        await expect(runSearch(HEADER, { ...OPTIONS, ...other }, stubQuality, dir)).rejects.toThrow(InvalidOptionError);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

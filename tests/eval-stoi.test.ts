import { readFileSync } from 'node:fs';
import path from 'node:path';
import { estoi, intelligibility, stoi } from '../src/eval/stoi.js';
import { resample } from '../src/eval/resample.js';
import { InvalidOptionError } from '../src/errors.js';
import { readSharedFlac, sharedAvailable } from './fixtures/eval/shared-data.js';

const SPEECH = 'data/speech/librispeech/103-1240-0000.flac';

describe('STOI / ESTOI', () => {
  test('published torchmetrics example: seed-1 Gaussian noise at 8 kHz gives STOI −0.0100', () => {
    const raw = readFileSync(path.join('tests', 'fixtures', 'eval', 'torch-seed1-randn-2x8000.f32'));
    const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    const preds = all.subarray(0, 8000);
    const target = all.subarray(8000);
    // torchmetrics passes target as pystoi's clean x; its docs print tensor(-0.0100).
    const scores = intelligibility(target, preds, 8000);
    expect(Math.abs(scores.stoi - -0.0100)).toBeLessThan(5e-5);
    // Unrounded, from a NumPy port of pystoi 0.4 (no published ESTOI value was found).
    expect(scores.stoi).toBeCloseTo(-0.009967803066552127, 8);
    expect(scores.estoi).toBeCloseTo(-0.019224593409711496, 8);
  });

  test('identical signals score 1', () => {
    const rate = 16000;
    const speechLike = Float64Array.from({ length: rate }, (_, n) =>
      Math.sin((2 * Math.PI * 220 * n) / rate) * (0.5 + 0.5 * Math.sin((2 * Math.PI * 3 * n) / rate)));
    const scores = intelligibility(speechLike, speechLike, rate);
    expect(scores.stoi).toBeCloseTo(1, 9);
    expect(scores.estoi).toBeCloseTo(1, 9);
  });

  test('matches a NumPy port of pystoi on speech with interference at 16 kHz', async () => {
    if (!sharedAvailable(SPEECH)) return;
    const { samples: clean, sampleRate } = await readSharedFlac(SPEECH);
    const degraded = clean.map((v, n) =>
      0.8 * v + 0.05 * Math.sin((2 * Math.PI * 1000 * n) / 16000) + 0.3 * clean[clean.length - 1 - n]);
    // No published value exists for this pair: these come from a line-by-line NumPy port of
    // pystoi 0.4 (stoi.py, utils.py; SciPy resample_poly with the Octave filter) run on the same
    // signals, so they check the TS against pystoi's algorithm, not against MATLAB.
    const scores = intelligibility(clean, Float32Array.from(degraded), sampleRate);
    expect(scores.stoi).toBeCloseTo(0.7701323421183258, 6);
    expect(scores.estoi).toBeCloseTo(0.6058621991221536, 6);
    expect(stoi(clean, clean, sampleRate)).toBeCloseTo(1, 9);
  });

  test('more noise scores lower', () => {
    const rate = 10000;
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5);
    const clean = Float64Array.from({ length: 2 * rate }, (_, n) =>
      Math.sin((2 * Math.PI * 500 * n) / rate) * Math.max(0, Math.sin((2 * Math.PI * 4 * n) / rate)));
    const light = clean.map((v) => v + 0.05 * noise());
    const heavy = clean.map((v) => v + 1.0 * noise());
    expect(estoi(clean, light, rate)).toBeGreaterThan(estoi(clean, heavy, rate));
    expect(stoi(clean, light, rate)).toBeGreaterThan(stoi(clean, heavy, rate));
  });

  test('rejects unequal lengths and too little speech', () => {
    expect(() => stoi(new Float32Array(20000), new Float32Array(19999), 16000)).toThrow(InvalidOptionError);
    expect(() => stoi(new Float32Array(0), new Float32Array(0), 16000)).toThrow(/at least 30 frames/);
    expect(() => stoi(new Float32Array(3000), new Float32Array(3000), 16000)).toThrow(InvalidOptionError);
  });
});

describe('resample (pystoi resample_oct)', () => {
  test('16 kHz → 10 kHz keeps a 1 kHz tone and has ceil(n·5/8) samples', () => {
    const tone = Float64Array.from({ length: 1601 }, (_, n) => Math.sin((2 * Math.PI * 1000 * n) / 16000));
    const out = resample(tone, 16000, 10000);
    expect(out.length).toBe(1001);
    for (let m = 400; m < 600; m++) expect(out[m]).toBeCloseTo(Math.sin((2 * Math.PI * 1000 * m) / 10000), 3);
  });

  test('removes content above the new Nyquist frequency', () => {
    const tone = Float64Array.from({ length: 16000 }, (_, n) => Math.sin((2 * Math.PI * 6000 * n) / 16000));
    const out = resample(tone, 16000, 10000);
    const middle = out.subarray(2000, 8000);
    expect(Math.max(...middle.map(Math.abs))).toBeLessThan(2e-3);
  });
});

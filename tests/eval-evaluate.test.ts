/**
 * @jest-environment ./tests/fixtures/eval/node-realm-environment.cjs
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { evaluateDirs, evaluateFileSet, evaluatePair } from '../src/eval/evaluate.js';
import { formatTable } from '../src/eval/table.js';
import { writeWavFile } from '../src/node/wav.js';
import { InvalidOptionError } from '../src/errors.js';
import { dnsmosAvailable } from './fixtures/eval/dnsmos-runtime.js';
import { SHARED_DIR } from './fixtures/eval/shared-data.js';

const RATE = 16000;

function noise(length: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length }, () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5);
}

/** Voiced-speech stand-in: harmonics of 150 Hz under a 4 Hz syllable envelope. */
function speechLike(seconds: number): Float32Array {
  return Float32Array.from({ length: seconds * RATE }, (_, n) => {
    let voiced = 0;
    for (let h = 1; h <= 12; h++) voiced += Math.sin((2 * Math.PI * 150 * h * n) / RATE) / h;
    return 0.2 * voiced * Math.max(0, Math.sin((2 * Math.PI * 4 * n) / RATE));
  });
}

/** `signal` delayed by `delay` samples (same length). */
function delay(signal: Float32Array, samples: number): Float32Array {
  const out = new Float32Array(signal.length);
  out.set(signal.subarray(0, signal.length - samples), samples);
  return out;
}

const clean = speechLike(2);
const background = noise(clean.length, 5);
const noisy = clean.map((v, i) => v + 0.4 * background[i]);
/** What a denoiser might return: less noise, 10 ms late. */
const enhanced = delay(clean.map((v, i) => v + 0.05 * background[i]), 160);

describe('evaluatePair', () => {
  test('compensates the delay and scores the enhanced signal above the noisy one', async () => {
    const better = await evaluatePair(clean, enhanced, RATE);
    const worse = await evaluatePair(clean, noisy, RATE);
    expect(better.delaySamples).toBe(160);
    expect(worse.delaySamples).toBe(0);
    expect(better.sisdr).toBeGreaterThan(worse.sisdr + 10);
    expect(better.stoi).toBeGreaterThan(worse.stoi);
    expect(better.estoi).toBeGreaterThan(worse.estoi);
    expect(better.dnsmos).toBeUndefined();
  });

  test('identical signals: STOI and ESTOI 1, no delay', async () => {
    const same = await evaluatePair(clean, clean, RATE);
    expect(same.delaySamples).toBe(0);
    expect(same.stoi).toBeCloseTo(1, 9);
    expect(same.estoi).toBeCloseTo(1, 9);
    expect(same.sisdr).toBeGreaterThan(100);
  });

  test('rejects empty audio, lengths further apart than the delay searched, and bad rates', async () => {
    await expect(evaluatePair(new Float32Array(0), clean, RATE)).rejects.toThrow(InvalidOptionError);
    await expect(evaluatePair(clean, clean.subarray(0, RATE), RATE)).rejects.toThrow(/lengths differ by 16000/);
    await expect(evaluatePair(clean, clean, 0)).rejects.toThrow(/sampleRate/);
    await expect(evaluatePair(clean, clean, RATE, { maxDelayMs: -5 })).rejects.toThrow(/maxDelayMs/);
  });
});

describe('evaluateDirs and formatTable', () => {
  let root: string;
  const dir = (name: string) => path.join(root, name);
  const wav = (channels: Float32Array[], sampleRate = RATE) => ({ sampleRate, channels, format: 'f32le' as const });

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tinyhush-eval-'));
    for (const name of ['clean', 'noisy', 'enhanced', 'other-rate', 'incomplete']) await mkdir(dir(name));
    const quieter = clean.map((v) => 0.5 * v);
    await writeWavFile(path.join(dir('clean'), 'a.wav'), wav([clean]));
    await writeWavFile(path.join(dir('clean'), 'b.wav'), wav([quieter]));
    await writeWavFile(path.join(dir('noisy'), 'a.wav'), wav([noisy]));
    await writeWavFile(path.join(dir('noisy'), 'b.wav'), wav([quieter.map((v, i) => v + 0.2 * background[i])]));
    await writeWavFile(path.join(dir('enhanced'), 'a.wav'), wav([enhanced]));
    // Stereo output is downmixed before scoring.
    await writeWavFile(path.join(dir('enhanced'), 'b.wav'), wav([quieter, quieter]));
    await writeWavFile(path.join(dir('other-rate'), 'a.wav'), wav([clean.subarray(0, 8000)], 8000));
    await writeWavFile(path.join(dir('incomplete'), 'a.wav'), wav([clean]));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('pairs files by name and reports per-file scores, improvements and means', async () => {
    const report = await evaluateDirs({ clean: dir('clean'), enhanced: dir('enhanced'), noisy: dir('noisy') });
    expect(report.files.map((f) => f.name)).toEqual(['a.wav', 'b.wav']);
    const [a, b] = report.files;
    expect(a.enhanced.delaySamples).toBe(160);
    expect(b.enhanced.stoi).toBeCloseTo(1, 6);
    for (const file of report.files) {
      expect(file.improvement!.sisdr).toBeCloseTo(file.enhanced.sisdr - file.noisy!.sisdr, 9);
      expect(file.improvement!.stoi).toBeGreaterThan(0);
    }
    expect(report.mean.enhanced.estoi).toBeCloseTo((a.enhanced.estoi + b.enhanced.estoi) / 2, 9);
    expect(report.mean.improvement!.stoi).toBeCloseTo((a.improvement!.stoi + b.improvement!.stoi) / 2, 9);

    const table = formatTable(report).split('\n');
    expect(table[0]).toBe('| file | SI-SDR (dB) | STOI | ESTOI | ΔSI-SDR (dB) | ΔSTOI | ΔESTOI | delay (samples) |');
    expect(table).toHaveLength(2 + 2 + 2);
    expect(table[2]).toContain(`| a.wav | ${a.enhanced.sisdr.toFixed(2)} | ${a.enhanced.stoi.toFixed(3)} |`);
    expect(table[2]).toContain(`+${a.improvement!.sisdr.toFixed(2)}`);
    expect(table[2].endsWith('| 160 |')).toBe(true);
    expect(table[5]).toContain(report.mean.noisy!.sisdr.toFixed(2));
  });

  test('rejects different sample rates and missing counterparts', async () => {
    await expect(evaluateDirs({ clean: dir('other-rate'), enhanced: dir('incomplete') }))
      .rejects.toThrow(/8000 Hz .* 16000 Hz/);
    await expect(evaluateDirs({ clean: dir('incomplete'), enhanced: dir('enhanced') }))
      .rejects.toThrow(/lacks b\.wav/);
    await expect(evaluateDirs({ clean: dir('clean'), enhanced: dir('nowhere') })).rejects.toThrow(InvalidOptionError);
  });

  test('adds DNSMOS columns when a model folder is given', async () => {
    if (!await dnsmosAvailable()) return;
    const report = await evaluateFileSet([{
      name: 'b', clean: path.join(dir('clean'), 'b.wav'), enhanced: path.join(dir('enhanced'), 'b.wav'),
    }], { dnsmosDir: path.join(SHARED_DIR, 'models', 'dnsmos') });
    const { sig, bak, ovrl } = report.files[0].enhanced.dnsmos!;
    for (const value of [sig, bak, ovrl]) expect(value).toBeGreaterThan(1);
    expect(report.mean.enhanced.dnsmos).toEqual(report.files[0].enhanced.dnsmos);
    expect(formatTable(report).split('\n')[0]).toContain('| SIG | BAK | OVRL |');
  });
});

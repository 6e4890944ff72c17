import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../src/cli/commands/eval.js';
import { writeWavFile } from '../src/node/wav.js';
import { InvalidOptionError } from '../src/errors.js';

const RATE = 16000;

/** A 2 s harmonic tone under a syllable-rate envelope, and a version with a deterministic buzz added. */
const clean = Float32Array.from({ length: 2 * RATE }, (_, n) =>
  0.3 * Math.sin((2 * Math.PI * 210 * n) / RATE) * Math.max(0, Math.sin((2 * Math.PI * 3 * n) / RATE)));
const noisy = clean.map((v, n) => v + 0.1 * Math.sign(Math.sin((2 * Math.PI * 1234 * n) / RATE)));

function capture() {
  const out = { text: '', write(chunk: string) { out.text += chunk; return true; } };
  return out;
}

describe('tinyhush eval', () => {
  let root: string;
  const at = (...parts: string[]) => path.join(root, ...parts);

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tinyhush-eval-cli-'));
    for (const name of ['clean', 'noisy', 'enhanced']) await mkdir(at(name));
    const write = (file: string, samples: Float32Array) =>
      writeWavFile(file, { sampleRate: RATE, channels: [samples], format: 's16le' });
    await write(at('clean', 'x.wav'), clean);
    await write(at('noisy', 'x.wav'), noisy);
    await write(at('enhanced', 'x.wav'), clean.map((v, n) => 0.9 * v + 0.1 * (noisy[n] - v)));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('folder form prints a Markdown table with improvements and writes JSON', async () => {
    const stdout = capture();
    const json = at('report.json');
    const code = await run(['--clean', at('clean'), '--enhanced', at('enhanced'), '--noisy', at('noisy'), '--json', json],
      { stdout, stderr: capture() });
    expect(code).toBe(0);
    const lines = stdout.text.trim().split('\n');
    expect(lines[0]).toContain('| file | SI-SDR (dB) | STOI | ESTOI | ΔSI-SDR (dB)');
    expect(lines[2]).toMatch(/^\| x\.wav \| /);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.files[0].name).toBe('x.wav');
    expect(report.mean.improvement.sisdr).toBeGreaterThan(0);
    expect(lines[2]).toContain(report.files[0].enhanced.sisdr.toFixed(2));
  });

  test('single-file form scores one pair', async () => {
    const stdout = capture();
    expect(await run(['--clean', at('clean', 'x.wav'), '--enhanced', at('noisy', 'x.wav')], { stdout, stderr: capture() }))
      .toBe(0);
    expect(stdout.text.split('\n')[0]).toBe('| file | SI-SDR (dB) | STOI | ESTOI | delay (samples) |');
    expect(stdout.text).toMatch(/\| x\.wav \| [-\d.]+ \| 0\.\d{3} \| 0\.\d{3} \| 0 \|/);
  });

  test('--help prints usage', async () => {
    const stdout = capture();
    expect(await run(['--help'], { stdout, stderr: capture() })).toBe(0);
    expect(stdout.text).toContain('--enhanced DIR|FILE');
  });

  test('bad options are InvalidOptionErrors', async () => {
    const io = { stdout: capture(), stderr: capture() };
    await expect(run(['--clean', at('clean')], io)).rejects.toThrow(InvalidOptionError);
    await expect(run(['--clean', at('clean'), '--enhanced', at('enhanced', 'x.wav')], io)).rejects.toThrow(/all be folders/);
    await expect(run(['--clean', at('clean'), '--enhanced', at('enhanced'), '--max-delay-ms', 'soon'], io))
      .rejects.toThrow(/--max-delay-ms/);
    await expect(run(['--clean', at('clean'), '--bogus'], io)).rejects.toThrow(/bogus/);
  });
});

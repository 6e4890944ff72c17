import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDenoiser } from '../src/node/create-denoiser.js';
import { UnknownModelError, WavFormatError } from '../src/errors.js';
import { denoiseFile, type DenoiseProgress } from '../src/node/denoise-file.js';
import { readWavFile, writeWavFile, type SampleFormat } from '../src/node/wav.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tinyhush-denoise-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** A valid model with random weights: the tests check plumbing, not denoising quality. */
const model = 'tests/fixtures/golden/gru.thm';

function testSignal(frames: number, channels: number): Float32Array[] {
  let state = 11;
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_, i) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return 0.4 * Math.sin(0.02 * (c + 2) * i) + 0.2 * (state / 2147483648 - 0.5);
  }));
}

describe('denoiseFile', () => {
  test.each([
    ['s16le', 2, 44100],
    ['s24le', 1, 48000],
    ['f32le', 1, 16000],
  ] as const)('%s, %i ch, %i Hz: output keeps length, rate, channels and format', async (format, channelCount, sampleRate) => {
    const input = join(dir, `in-${format}.wav`);
    const output = join(dir, `out-${format}.wav`);
    await writeWavFile(input, { sampleRate, format, channels: testSignal(Math.round(sampleRate * 0.7), channelCount) });
    const report = await denoiseFile(input, output, { model });
    const written = await readWavFile(output);
    expect(written).toMatchObject({ sampleRate, format });
    expect(written.channels.map((c) => c.length)).toEqual(Array(channelCount).fill(Math.round(sampleRate * 0.7)));
    expect(report.input).toMatchObject({ path: input, sampleRate, channels: channelCount, format });
    expect(report.output.samples).toBe(report.input.samples);
    expect(report.seconds).toBeCloseTo(0.7, 3);
    expect(report.frames).toBeGreaterThan(0);
  });

  test('output equals the in-memory denoiser output with its latency removed, whatever the block size', async () => {
    const input = join(dir, 'exact-in.wav');
    const channels = testSignal(20000, 1);
    await writeWavFile(input, { sampleRate: 16000, format: 'f32le', channels });
    const denoiser = createDenoiser({ model, sampleRate: 16000, channels: 1 });
    const latency = denoiser.latencySamples;
    const full = new Float32Array(20000 + latency);
    full.set(denoiser.process([channels[0]])[0]);
    full.set(denoiser.flush()[0], 20000);
    denoiser.dispose();
    const expected = full.subarray(latency);
    expect(expected.some((v) => v !== 0)).toBe(true);

    const progress: DenoiseProgress[] = [];
    for (const blockFrames of [777, 8192]) {
      const output = join(dir, `exact-out-${blockFrames}.wav`);
      await denoiseFile(input, output, { model, blockFrames, onProgress: (p) => progress.push(p) });
      expect((await readWavFile(output)).channels[0]).toEqual(expected);
    }
    expect(progress.filter((p) => p.framesTotal === 20000).map((p) => p.framesDone).slice(0, 3)).toEqual([777, 1554, 2331]);
    expect(progress.at(-1)).toEqual({ framesDone: 20000, framesTotal: 20000 });
  });

  test('a file shorter than the latency still comes out at its length', async () => {
    const input = join(dir, 'tiny-in.wav');
    await writeWavFile(input, { sampleRate: 8000, format: 's16le', channels: testSignal(5, 2) });
    await denoiseFile(input, join(dir, 'tiny-out.wav'), { model });
    expect((await readWavFile(join(dir, 'tiny-out.wav'))).channels.map((c) => c.length)).toEqual([5, 5]);
  });

  test.each([
    ['a corrupt input', 'corrupt.wav', { model }, WavFormatError],
    ['an unknown model', 'good.wav', { model: 'no-such-model' }, UnknownModelError],
  ] as const)('%s: no output, no temporary file, an existing output untouched', async (_what, name, options, errorClass) => {
    await writeFile(join(dir, 'corrupt.wav'), Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00garbage'));
    await writeWavFile(join(dir, 'good.wav'), { sampleRate: 16000, format: 's16le', channels: testSignal(100, 1) });
    const fresh = join(dir, `fresh-${name}`);
    await expect(denoiseFile(join(dir, name), fresh, options)).rejects.toThrow(errorClass);
    await expect(readFile(fresh)).rejects.toThrow(/ENOENT/);

    const existing = join(dir, `existing-${name}`);
    await writeFile(existing, 'previous contents');
    await expect(denoiseFile(join(dir, name), existing, options)).rejects.toThrow(errorClass);
    expect(await readFile(existing, 'utf8')).toBe('previous contents');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readWavFile, writeWavFile, WavReader, WavWriter, DEFAULT_BLOCK_FRAMES, type SampleFormat,
} from '../src/node/wav.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tinyhush-wav-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** A deterministic test signal in [−0.9, 0.9]: a sine per channel plus pseudo-random noise. */
function signal(frames: number, channelCount: number, seed = 1): Float32Array[] {
  let state = seed;
  return Array.from({ length: channelCount }, (_, c) => Float32Array.from({ length: frames }, (_, i) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return 0.6 * Math.sin(2 * Math.PI * (0.01 + 0.02 * c) * i) + 0.3 * (state / 2147483648 - 0.5) * 2;
  }));
}

const TOLERANCE: Record<SampleFormat, number> = { s16le: 0.5 / 32768, s24le: 0.5 / 8388608, f32le: 0 };

describe('WAV round trips', () => {
  const formats: SampleFormat[] = ['s16le', 's24le', 'f32le'];
  for (const format of formats) {
    for (const channelCount of [1, 2]) {
      for (const sampleRate of [8000, 22050, 48000]) {
        test(`${format}, ${channelCount} ch, ${sampleRate} Hz`, async () => {
          const path = join(dir, `rt-${format}-${channelCount}-${sampleRate}.wav`);
          const channels = signal(1001, channelCount);
          await writeWavFile(path, { sampleRate, channels, format });
          const back = await readWavFile(path);
          expect(back.sampleRate).toBe(sampleRate);
          expect(back.format).toBe(format);
          expect(back.channels).toHaveLength(channelCount);
          channels.forEach((original, c) => {
            expect(back.channels[c]).toHaveLength(original.length);
            const maxError = Math.max(...original.map((v, i) => Math.abs(v - back.channels[c][i])));
            expect(maxError).toBeLessThanOrEqual(TOLERANCE[format] * 1.0001);
          });
          // Re-writing what was read reproduces the file byte for byte.
          const again = join(dir, `rt-again-${format}-${channelCount}-${sampleRate}.wav`);
          await writeWavFile(again, back);
          expect(Buffer.compare(await readFile(path), await readFile(again))).toBe(0);
        });
      }
    }
  }

  test('integer formats round to nearest and clip out-of-range samples', async () => {
    const path = join(dir, 'clip.wav');
    await writeWavFile(path, { sampleRate: 16000, format: 's16le', channels: [Float32Array.of(1.5, -1.5, 1, -1, 0.4 / 32768, 0.6 / 32768)] });
    const bytes = await readFile(path);
    const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + 44 + 12));
    expect(Array.from(samples)).toEqual([32767, -32768, 32767, -32768, 0, 1]);
  });

  test('24-bit mono with an odd frame count gets a pad byte and a canonical header', async () => {
    const path = join(dir, 'odd24.wav');
    await writeWavFile(path, { sampleRate: 16000, format: 's24le', channels: signal(7, 1) });
    const bytes = await readFile(path);
    expect(bytes.length).toBe(44 + 21 + 1);
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    expect(bytes.readUInt32LE(40)).toBe(21);
    expect((await readWavFile(path)).channels[0]).toHaveLength(7);
  });
});

describe('streaming', () => {
  test('reads a file larger than the block size in blocks that concatenate to the original', async () => {
    const path = join(dir, 'long.wav');
    const frames = Math.floor(DEFAULT_BLOCK_FRAMES * 3.5);
    const channels = signal(frames, 2, 7);
    const writer = await WavWriter.create(path, { sampleRate: 44100, channelCount: 2, format: 'f32le' });
    for (let start = 0; start < frames; start += 5000) {
      await writer.write(channels.map((c) => c.subarray(start, start + 5000)));
    }
    expect(writer.frames).toBe(frames);
    await writer.close();
    expect((await stat(path)).size).toBe(58 + frames * 8);

    const reader = await WavReader.open(path);
    expect(reader.layout).toMatchObject({ sampleRate: 44100, channelCount: 2, format: 'f32le', frames });
    const blockSizes: number[] = [];
    const got = [new Float32Array(frames), new Float32Array(frames)];
    let at = 0;
    for (let block = await reader.read(); block; block = await reader.read()) {
      blockSizes.push(block[0].length);
      block.forEach((samples, c) => got[c].set(samples, at));
      at += block[0].length;
    }
    await reader.close();
    expect(blockSizes).toEqual([DEFAULT_BLOCK_FRAMES, DEFAULT_BLOCK_FRAMES, DEFAULT_BLOCK_FRAMES, frames - 3 * DEFAULT_BLOCK_FRAMES]);
    expect(got).toEqual(channels);
  });
});

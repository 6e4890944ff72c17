import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDenoiser } from '../src/node/create-denoiser.js';
import { InvalidOptionError } from '../src/errors.js';
import { createDenoiseStream } from '../src/node/transform.js';
import { decodeInterleaved, encodeInterleaved, type SampleFormat } from '../src/node/pcm.js';

/** A valid model with random weights: the tests check plumbing, not denoising quality. */
const model = 'tests/fixtures/golden/gru.thm';

/** Noisy test tone: deterministic, in [−0.8, 0.8]. */
function testSignal(frames: number, channels: number): Float32Array[] {
  let state = 3;
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_, i) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return 0.5 * Math.sin(0.03 * (c + 1) * i) + 0.3 * (state / 2147483648 - 0.5);
  }));
}

/** Feeds `bytes` through a new denoise stream in chunks of the given sizes (cycled); returns the output. */
async function runStream(bytes: Uint8Array, chunkSizes: number[], options: { sampleRate: number; channels: number; format: SampleFormat }) {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; at += chunkSizes[i % chunkSizes.length], i++) {
    chunks.push(Buffer.from(bytes.subarray(at, at + chunkSizes[i % chunkSizes.length])));
  }
  const output: Buffer[] = [];
  await pipeline(Readable.from(chunks), createDenoiseStream({ ...options, model }), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) output.push(chunk);
  });
  return Buffer.concat(output);
}

/** What the stream must produce: the denoiser's output minus its latency, plus its flushed tail. */
function expectedOutput(channels: Float32Array[], sampleRate: number, format: SampleFormat): Uint8Array {
  const denoiser = createDenoiser({ model, sampleRate, channels: channels.length });
  const latency = denoiser.latencySamples;
  const body = denoiser.process(channels);
  const tail = denoiser.flush();
  denoiser.dispose();
  const aligned = body.map((c, i) => {
    const all = new Float32Array(c.length + tail[i].length);
    all.set(c);
    all.set(tail[i], c.length);
    return all.subarray(latency);
  });
  return encodeInterleaved(aligned, format);
}

describe('createDenoiseStream', () => {
  test.each([
    ['s16le', 1, 16000, [4096]],
    ['s16le', 2, 48000, [1, 3, 1001, 7, 4096]],
    ['f32le', 2, 16000, [5, 13, 2049]],
    ['s24le', 1, 44100, [2, 999]],
  ] as const)('%s, %i ch, %i Hz, chunks of %j bytes: same byte length, aligned with the input',
    async (format, channelCount, sampleRate, chunkSizes) => {
      const channels = testSignal(Math.round(sampleRate * 0.3), channelCount);
      const input = encodeInterleaved(channels, format);
      const output = await runStream(input, [...chunkSizes], { sampleRate, channels: channelCount, format });
      expect(output.length).toBe(input.length);
      expect(Buffer.compare(output, Buffer.from(expectedOutput(
        decodeInterleaved(input, format, channelCount, channels[0].length), sampleRate, format)))).toBe(0);
    });

  test('input that ends inside a sample frame makes the stream fail with InvalidOptionError', async () => {
    const input = encodeInterleaved(testSignal(1000, 2), 's16le').subarray(0, 3999);
    await expect(runStream(input, [1000], { sampleRate: 16000, channels: 2, format: 's16le' }))
      .rejects.toThrow(InvalidOptionError);
  });

  test('rejects unsupported channel counts and formats', () => {
    expect(() => createDenoiseStream({ sampleRate: 16000, channels: 3, format: 's16le' })).toThrow(/channels must be 1 or 2/);
    expect(() => createDenoiseStream({ sampleRate: 16000, channels: 1, format: 'u8' as SampleFormat }))
      .toThrow(/supported: s16le, s24le, f32le/);
  });
});

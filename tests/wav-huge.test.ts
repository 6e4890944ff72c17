/**
 * WAV chunks that declare gigabytes. The files are sparse (a header, then a hole), so they take
 * no disk space; before the fix, a `fmt ` or `data` chunk over 2 GiB aborted Node
 * (`Assertion failed: args[3]->IsInt32()`), which no try/catch can stop.
 */
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WavFormatError } from '../src/errors.js';
import { denoiseFile } from '../src/node/denoise-file.js';
import { MAX_BLOCK_BYTES, MAX_IN_MEMORY_SAMPLES, readWavFile, WavReader } from '../src/node/wav.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tinyhush-hugewav-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const HEADER = 44;

/** A canonical 16 kHz mono 16-bit header whose `fmt ` and `data` sizes are as given. */
function header(dataBytes: number, fmtBytes = 16): Buffer {
  const h = Buffer.alloc(HEADER);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(Math.min(0xffffffff, 36 + dataBytes), 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(fmtBytes, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(16000, 24);
  h.writeUInt32LE(32000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** A sparse file: `head`, then zeros up to `size` bytes, with `tail` written at the end. */
async function sparse(name: string, head: Buffer, size: number, tail = Buffer.alloc(0)): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, head);
  await truncate(path, size);
  if (tail.length > 0) {
    const handle = await open(path, 'r+');
    await handle.write(tail, 0, tail.length, size - tail.length);
    await handle.close();
  }
  return path;
}

const GIB = 2 ** 30;

test("a 'fmt ' chunk declaring 2.25 GiB is read no further than the fields it holds", async () => {
  // Past the 16 fields there are only zeros: the declared size is honoured by skipping, not reading.
  const path = await sparse('fmt-huge.wav', header(0, 2.25 * GIB), 20 + 2.25 * GIB);
  await expect(WavReader.open(path)).rejects.toThrow(WavFormatError);
  await expect(WavReader.open(path)).rejects.toThrow(/fmt-huge\.wav: no 'data' chunk/);
});

test("a 'fmt ' chunk declaring 4 GiB beyond the end of the file is a truncated file", async () => {
  const path = await sparse('fmt-beyond.wav', header(0, 0xfffffff0), HEADER + 1000);
  await expect(WavReader.open(path)).rejects.toThrow(/truncated: chunk 'fmt ' at byte 12 declares 4294967280 bytes/);
});

describe('a data chunk of 2.25 GiB', () => {
  const dataBytes = 2.25 * GIB;
  let path: string;
  beforeAll(async () => {
    path = await sparse('data-huge.wav', header(dataBytes), HEADER + dataBytes, Buffer.from([0x00, 0x40]));
  });

  test('opens, and one read returns at most MAX_BLOCK_BYTES of it', async () => {
    const reader = await WavReader.open(path);
    try {
      expect(reader.layout.frames).toBe(dataBytes / 2);
      const block = await reader.read(2 ** 31);
      expect(block![0].length).toBe(MAX_BLOCK_BYTES / 2);
      expect(reader.framesLeft).toBe(dataBytes / 2 - MAX_BLOCK_BYTES / 2);
    } finally {
      await reader.close();
    }
  });

  test('is too large for readWavFile: a typed error that says to stream it', async () => {
    expect(dataBytes / 2).toBeGreaterThan(MAX_IN_MEMORY_SAMPLES);
    await expect(readWavFile(path)).rejects.toThrow(WavFormatError);
    await expect(readWavFile(path)).rejects.toThrow(/data-huge\.wav: 1207959552 frames .* stream it with WavReader/);
  });

  test('denoiseFile refuses nothing about it up front (it streams), and stops cleanly when aborted', async () => {
    const controller = new AbortController();
    const output = join(dir, 'data-huge-out.wav');
    const run = denoiseFile(path, output, {
      model: 'tests/fixtures/golden/gru.thm',
      signal: controller.signal,
      onProgress: ({ framesDone }) => { if (framesDone > 0) controller.abort(new Error('enough')); },
    });
    await expect(run).rejects.toThrow('enough');
  });
});

test('readWavFile reads a file larger than one block whole, in order', async () => {
  const dataBytes = MAX_BLOCK_BYTES + 4096;
  // The last sample, 0x4000, is 0.5 of full scale; everything before it is silence.
  const path = await sparse('two-blocks.wav', header(dataBytes), HEADER + dataBytes, Buffer.from([0x00, 0x40]));
  const { channels } = await readWavFile(path);
  expect(channels[0].length).toBe(dataBytes / 2);
  expect(channels[0][dataBytes / 2 - 1]).toBe(0.5);
  expect(channels[0][MAX_BLOCK_BYTES / 2 - 1]).toBe(0);
});

test('a file of thousands of empty chunks before its format is refused without reading them all', async () => {
  const junk = Buffer.alloc(8 * 5000);
  for (let i = 0; i < 5000; i++) junk.write('junk', 8 * i, 'latin1');
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + junk.length + HEADER - 12, 4);
  riff.write('WAVE', 8, 'latin1');
  const path = join(dir, 'many-chunks.wav');
  await writeFile(path, Buffer.concat([riff, junk, header(2).subarray(12), Buffer.alloc(2)]));
  await expect(WavReader.open(path)).rejects.toThrow(/many-chunks\.wav: 1024 chunks without both a 'fmt ' and a 'data' chunk/);
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsupportedRateError, WavFormatError } from '../src/errors.js';
import { readWavFile } from '../src/node/wav.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tinyhush-badwav-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** One RIFF chunk: id, u32 size (the body's length unless given), body, pad byte if `pad` and odd. */
function chunk(id: string, body: Uint8Array, { size = body.length, pad = true } = {}): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(size, 4);
  return Buffer.concat([head, body, pad && body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function riff(chunks: Buffer[], magic = 'RIFF', form = 'WAVE'): Buffer {
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(12);
  head.write(magic, 0, 'latin1');
  head.writeUInt32LE(body.length + 4, 4);
  head.write(form, 8, 'latin1');
  return Buffer.concat([head, body]);
}

interface Fmt { tag?: number; channels?: number; rate?: number; bits?: number; blockAlign?: number }
function fmt({ tag = 1, channels = 1, rate = 16000, bits = 16, blockAlign }: Fmt = {}): Buffer {
  const body = Buffer.alloc(16);
  const align = blockAlign ?? channels * (bits / 8);
  body.writeUInt16LE(tag, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(rate, 4);
  body.writeUInt32LE(rate * align, 8);
  body.writeUInt16LE(align, 12);
  body.writeUInt16LE(bits, 14);
  return chunk('fmt ', body);
}

/** WAVE_FORMAT_EXTENSIBLE fmt chunk with the given sub-format tag (and GUID tail). */
function fmtExtensible(subTag: number, bits: number, channels = 2, guidTail = '000000001000800000aa00389b71'): Buffer {
  const body = Buffer.alloc(40);
  body.writeUInt16LE(0xfffe, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(48000, 4);
  body.writeUInt32LE(48000 * channels * bits / 8, 8);
  body.writeUInt16LE(channels * bits / 8, 12);
  body.writeUInt16LE(bits, 14);
  body.writeUInt16LE(22, 16);
  body.writeUInt16LE(bits, 18);
  body.writeUInt32LE(channels === 2 ? 3 : 4, 20);
  body.writeUInt16LE(subTag, 24);
  Buffer.from(guidTail, 'hex').copy(body, 26);
  return chunk('fmt ', body);
}

const samples16 = (...values: number[]) => Buffer.from(Int16Array.from(values).buffer);

async function load(name: string, bytes: Buffer) {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return readWavFile(path);
}

async function expectWavError(name: string, bytes: Buffer, message: RegExp) {
  const error = await load(name, bytes).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WavFormatError);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).toContain(name);
}

describe('valid but unusual files are read', () => {
  test('WAVE_FORMAT_EXTENSIBLE with PCM and float sub-formats', async () => {
    const pcm = await load('ext-pcm.wav', riff([fmtExtensible(1, 24), chunk('data', Buffer.from([0, 0, 0x40, 0, 0, 0xc0]))]));
    expect(pcm).toMatchObject({ sampleRate: 48000, format: 's24le' });
    expect(pcm.channels.map((c) => c[0])).toEqual([0.5, -0.5]);
    const float = await load('ext-float.wav', riff([fmtExtensible(3, 32), chunk('data', Buffer.from(Float32Array.of(0.25, -1).buffer))]));
    expect(float.format).toBe('f32le');
    expect(float.channels.map((c) => c[0])).toEqual([0.25, -1]);
  });

  test('odd-sized chunks with their pad byte, extra chunks, fmt after data', async () => {
    const list = chunk('LIST', Buffer.from('INFOabc'));
    const audio = await load('padded.wav', riff([list, chunk('data', samples16(16384, -16384)), fmt()]));
    expect(Array.from(audio.channels[0])).toEqual([0.5, -0.5]);
  });
});

describe('bad files are WavFormatError naming what was found', () => {
  const data = chunk('data', samples16(1, 2, 3, 4));
  test.each([
    ['empty-file.wav', Buffer.alloc(0), /0 bytes is too short/],
    ['not-riff.wav', Buffer.from('ID3\x04 this is an mp3 file, honest'), /not a WAV file: starts with 0x49443304, expected 'RIFF'/],
    ['rf64.wav', riff([fmt(), data], 'RF64'), /RF64.*not supported.*RIFF\/WAVE/],
    ['rifx.wav', riff([fmt(), data], 'RIFX'), /big-endian/],
    ['avi.wav', riff([fmt(), data], 'RIFF', 'AVI '), /form type is 'AVI '/],
    ['no-fmt.wav', riff([data]), /no 'fmt ' chunk/],
    ['no-data.wav', riff([fmt()]), /no 'data' chunk/],
    ['zero-samples.wav', riff([fmt(), chunk('data', Buffer.alloc(0))]), /empty.*0 samples/],
    ['adpcm.wav', riff([fmt({ tag: 2, bits: 4, blockAlign: 256 }), data]), /Microsoft ADPCM \(format tag 2\).*supported: 16-bit PCM/],
    ['alaw.wav', riff([fmt({ tag: 6, bits: 8 }), data]), /A-law \(format tag 6\)/],
    ['ulaw.wav', riff([fmt({ tag: 7, bits: 8 }), data]), /µ-law \(format tag 7\)/],
    ['mp3.wav', riff([fmt({ tag: 0x55, bits: 0, blockAlign: 1 }), data]), /MP3\) \(format tag 85\)/],
    ['pcm8.wav', riff([fmt({ bits: 8 }), data]), /8-bit PCM is not supported/],
    ['float64.wav', riff([fmt({ tag: 3, bits: 64 }), data]), /64-bit float is not supported/],
    ['ext-unknown.wav', riff([fmtExtensible(1, 16, 2, 'ffffffffffffffffffffffffffff'), data]), /EXTENSIBLE with an unknown sub-format/],
    ['six-channels.wav', riff([fmt({ channels: 6 }), chunk('data', samples16(...Array(12).fill(0)))]), /6 channels.*supported: 1 \(mono\) or 2 \(stereo\)/],
    ['bad-align.wav', riff([fmt({ blockAlign: 3 }), data]), /block align 3/],
    ['short-fmt.wav', riff([chunk('fmt ', Buffer.alloc(10)), data]), /'fmt ' chunk is 10 bytes/],
    ['unknown-size.wav', riff([fmt(), chunk('data', samples16(1, 2), { size: 0xffffffff })]), /0xFFFFFFFF/],
    ['truncated.wav', riff([fmt(), chunk('data', samples16(1, 2), { size: 400 })]), /truncated: chunk 'data' .* declares 400 bytes/],
    ['partial-frame.wav', riff([fmt({ channels: 2 }), chunk('data', samples16(1, 2, 3))]), /not a whole number of 4-byte sample frames/],
    ['missing-pad.wav', riff([chunk('LIST', Buffer.from('INFOabc'), { pad: false }), fmt(), data]), /missing its pad byte/],
    ['garbage-chunk.wav', riff([fmt(), Buffer.from([0, 1, 2, 3, 4, 0, 0, 0, 1, 2, 3, 4]), data]), /chunk id 0x00010203 at byte 36/],
  ])('%s', async (name, bytes, message) => {
    await expectWavError(name, bytes, message);
  });

  test('an unsupported rate is UnsupportedRateError listing the supported rates', async () => {
    const error = await load('11k.wav', riff([fmt({ rate: 11025 }), data])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedRateError);
    expect((error as Error).message).toMatch(/11k\.wav: sample rate 11025 Hz is not supported; supported: 8000, 16000, 22050, 24000, 32000, 44100, 48000 Hz/);
  });
});

/**
 * RIFF/WAVE header: finds and checks the `fmt ` and `data` chunks of a file through a file handle
 * (reading only chunk headers, never the samples), and builds the header the writer emits.
 */
import type { FileHandle } from 'node:fs/promises';
import { UnsupportedRateError, WavFormatError } from '../errors.js';
import { SUPPORTED_RATES } from '../stream/rates.js';
import { BYTES_PER_SAMPLE, type SampleFormat } from './pcm.js';

const SUPPORTED_LAYOUTS = '16-bit PCM, 24-bit PCM or 32-bit float, mono or stereo';
const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2–15 of the KSDATAFORMAT_SUBTYPE GUIDs for PCM and IEEE float (bytes 0–1 hold the tag). */
const SUBTYPE_GUID_TAIL = [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
/** Names of common compressed format tags, so the error says what the file is. */
const COMPRESSED_FORMATS: Readonly<Record<number, string>> = {
  2: 'Microsoft ADPCM', 6: 'A-law', 7: 'µ-law', 0x11: 'IMA ADPCM', 0x31: 'GSM 6.10',
  0x50: 'MPEG', 0x55: 'MPEG Layer 3 (MP3)', 0x161: 'Windows Media Audio',
};

/** Bytes of a `fmt ` chunk the parser reads: WAVE_FORMAT_EXTENSIBLE's 40; the rest (if any) is skipped. */
const FMT_BYTES_READ = 40;
/** Chunks looked at before both `fmt ` and `data` must have been found: a file of millions of empty chunks is not a WAV. */
const MAX_CHUNKS = 1024;

/** What a WAV file holds and where its samples are. */
export interface WavLayout {
  sampleRate: number;
  channelCount: number;
  format: SampleFormat;
  /** Sample frames (one sample per channel) in the data chunk. */
  frames: number;
  /** Byte offset of the first sample in the file. */
  dataOffset: number;
  /** Bytes of sample data (`frames × channelCount × bytes per sample`). */
  dataBytes: number;
}

/** Reads the RIFF chunk list of an open WAV file of `fileSize` bytes and checks its format. */
export async function readWavLayout(handle: FileHandle, fileSize: number, name: string): Promise<WavLayout> {
  const fail = (what: string) => new WavFormatError(`${name}: ${what}`);
  if (fileSize < 12) throw fail(`${fileSize} bytes is too short for a RIFF/WAVE header (12 bytes at least)`);
  const riff = await readAt(handle, 0, 12);
  checkRiffHeader(riff, fail);

  let fmt: Uint8Array | undefined;
  let data: { offset: number; bytes: number } | undefined;
  let previousOddChunk: string | undefined;
  // Sizes are u32 and the file size is below 2^53, so every sum here is an exact integer.
  for (let pos = 12, chunks = 0; pos + 8 <= fileSize && !(fmt && data); chunks++) {
    if (chunks === MAX_CHUNKS) throw fail(`${MAX_CHUNKS} chunks without both a 'fmt ' and a 'data' chunk`);
    const head = await readAt(handle, pos, 8);
    const id = tagAt(head, 0);
    if (!/^[\x20-\x7e]{4}$/.test(id)) {
      const hint = previousOddChunk
        ? ` (the odd-sized '${previousOddChunk}' chunk before it is missing its pad byte?)` : '';
      throw fail(`corrupt chunk list: chunk id ${describeTag(head.subarray(0, 4))} at byte ${pos}${hint}`);
    }
    const size = new DataView(head.buffer).getUint32(4, true);
    const body = pos + 8;
    if (id === 'data' && size === 0xffffffff) {
      throw fail('data chunk size is 0xFFFFFFFF (length unknown, as written by a streaming tool); '
        + 'supported: a finished WAV file whose data size is set');
    }
    if (body + size > fileSize) {
      throw fail(`truncated: chunk '${id}' at byte ${pos} declares ${size} bytes but the file ends `
        + `${fileSize - body} bytes after its header`);
    }
    if (id === 'fmt ') fmt = await readAt(handle, body, Math.min(size, FMT_BYTES_READ));
    if (id === 'data') data = { offset: body, bytes: size };
    previousOddChunk = size % 2 === 1 ? id : undefined;
    pos = body + size + (size % 2);
  }
  if (!fmt) throw fail("no 'fmt ' chunk before the end of the file");
  if (!data) throw fail("no 'data' chunk: the file holds no samples");

  const { sampleRate, channelCount, format } = parseFmt(fmt, name, fail);
  const frameBytes = channelCount * BYTES_PER_SAMPLE[format];
  if (data.bytes === 0) throw fail('empty: the data chunk holds 0 samples; supported: at least one sample');
  if (data.bytes % frameBytes !== 0) {
    throw fail(`truncated: data chunk of ${data.bytes} bytes is not a whole number of ${frameBytes}-byte sample frames`);
  }
  return { sampleRate, channelCount, format, frames: data.bytes / frameBytes, dataOffset: data.offset, dataBytes: data.bytes };
}

function checkRiffHeader(riff: Uint8Array, fail: (what: string) => WavFormatError): void {
  const magic = tagAt(riff, 0);
  if (magic === 'RF64' || magic === 'BW64') {
    throw fail(`${magic} (64-bit WAV) is not supported; supported: RIFF/WAVE files under 4 GiB`);
  }
  if (magic === 'RIFX') throw fail('RIFX (big-endian WAV) is not supported; supported: little-endian RIFF/WAVE');
  if (magic !== 'RIFF') throw fail(`not a WAV file: starts with ${describeTag(riff.subarray(0, 4))}, expected 'RIFF'`);
  const form = tagAt(riff, 8);
  if (form !== 'WAVE') throw fail(`RIFF form type is ${describeTag(riff.subarray(8, 12))}, expected 'WAVE'`);
}

/** Checks a `fmt ` chunk body and returns the sample layout it declares. */
function parseFmt(fmt: Uint8Array, name: string, fail: (what: string) => WavFormatError):
  { sampleRate: number; channelCount: number; format: SampleFormat } {
  if (fmt.length < 16) throw fail(`'fmt ' chunk is ${fmt.length} bytes, 16 at least`);
  const view = new DataView(fmt.buffer, fmt.byteOffset, fmt.byteLength);
  let tag = view.getUint16(0, true);
  const channelCount = view.getUint16(2, true);
  const sampleRate = view.getUint32(4, true);
  const blockAlign = view.getUint16(12, true);
  const bits = view.getUint16(14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    const guidTailMatches = fmt.length >= 40 && SUBTYPE_GUID_TAIL.every((b, i) => fmt[26 + i] === b);
    if (!guidTailMatches) throw fail(`WAVE_FORMAT_EXTENSIBLE with an unknown sub-format; supported: ${SUPPORTED_LAYOUTS}`);
    tag = view.getUint16(24, true);
  }
  const format = tag === FORMAT_PCM && bits === 16 ? 's16le'
    : tag === FORMAT_PCM && bits === 24 ? 's24le'
      : tag === FORMAT_FLOAT && bits === 32 ? 'f32le' : undefined;
  if (!format) {
    const found = COMPRESSED_FORMATS[tag] ? `compressed ${COMPRESSED_FORMATS[tag]} (format tag ${tag})`
      : tag === FORMAT_PCM ? `${bits}-bit PCM` : tag === FORMAT_FLOAT ? `${bits}-bit float`
        : `format tag 0x${tag.toString(16)}`;
    throw fail(`${found} is not supported; supported: ${SUPPORTED_LAYOUTS}`);
  }
  if (channelCount < 1 || channelCount > 2) {
    throw fail(`${channelCount} channels are not supported; supported: 1 (mono) or 2 (stereo)`);
  }
  if (blockAlign !== channelCount * BYTES_PER_SAMPLE[format]) {
    throw fail(`block align ${blockAlign} does not match ${channelCount} channel(s) of ${bits}-bit samples`);
  }
  checkWavRate(sampleRate, name);
  return { sampleRate, channelCount, format };
}

/** Throws UnsupportedRateError unless `sampleRate` is one the denoiser supports (SUPPORTED_RATES). */
export function checkWavRate(sampleRate: number, name: string): void {
  if (!SUPPORTED_RATES.includes(sampleRate)) {
    throw new UnsupportedRateError(`${name}: sample rate ${sampleRate} Hz is not supported; supported: `
      + `${SUPPORTED_RATES.join(', ')} Hz`);
  }
}

/**
 * Builds a canonical header for `dataBytes` of samples: `fmt ` (16 bytes for PCM; 18 bytes and a
 * `fact` chunk for float, as the spec asks of non-PCM formats), then the `data` chunk header.
 */
export function buildWavHeader(sampleRate: number, channelCount: number, format: SampleFormat,
  dataBytes: number): Uint8Array {
  const isFloat = format === 'f32le';
  const sampleBytes = BYTES_PER_SAMPLE[format];
  const fmtSize = isFloat ? 18 : 16;
  const factBytes = isFloat ? 12 : 0;
  const headerBytes = 12 + 8 + fmtSize + factBytes + 8;
  const header = new Uint8Array(headerBytes);
  const view = new DataView(header.buffer);
  const tag = (at: number, text: string) => { for (let i = 0; i < 4; i++) header[at + i] = text.charCodeAt(i); };
  tag(0, 'RIFF');
  view.setUint32(4, headerBytes - 8 + dataBytes + (dataBytes % 2), true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, isFloat ? FORMAT_FLOAT : FORMAT_PCM, true);
  view.setUint16(22, channelCount, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channelCount * sampleBytes, true);
  view.setUint16(32, channelCount * sampleBytes, true);
  view.setUint16(34, sampleBytes * 8, true);
  if (isFloat) {
    // cbSize (bytes 36–37) stays 0; the fact chunk gives the frame count.
    tag(38, 'fact');
    view.setUint32(42, 4, true);
    view.setUint32(46, dataBytes / (channelCount * sampleBytes), true);
  }
  tag(headerBytes - 8, 'data');
  view.setUint32(headerBytes - 4, dataBytes, true);
  return header;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  const { bytesRead } = await handle.read(bytes, 0, length, position);
  return bytes.subarray(0, bytesRead);
}

function tagAt(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

/** A 4-byte tag as text when printable, else as hex, for error messages. */
function describeTag(bytes: Uint8Array): string {
  const text = String.fromCharCode(...bytes);
  return /^[\x20-\x7e]{4}$/.test(text) ? `'${text}'` : `0x${Buffer.from(bytes).toString('hex')}`;
}

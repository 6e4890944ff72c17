/**
 * Fuzz target for WAV files: the whole-file reader (`readWavFile`) and the streaming file path
 * (`denoiseFile`: header, block reads, resampling at the file's rate, writer), which must either
 * reject the file with a typed error or write an output of the input's length. Seeds: short files
 * in every supported layout, with extra and odd-sized chunks. Fields: the RIFF size, every chunk
 * size, and the `fmt ` fields.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModel } from '../../../src/model/read.js';
import type { Model } from '../../../src/model/types.js';
import { denoiseFile } from '../../../src/node/denoise-file.js';
import { encodeInterleaved, type SampleFormat } from '../../../src/node/pcm.js';
import { buildWavHeader } from '../../../src/node/wav-header.js';
import { readWavFile } from '../../../src/node/wav.js';
import type { Field } from '../mutate.js';
import type { FuzzTarget } from '../target.js';

/** A small model (golden GRU, random weights): the target tests file handling, not denoising. */
let model: Model | undefined;
const smallModel = () => (model ??= readModel(new Uint8Array(readFileSync(join(process.cwd(), 'tests', 'fixtures', 'golden', 'gru.thm')))));

/** One folder per process for the case files, removed at exit. */
let folder: string | undefined;
function caseFolder(): string {
  if (folder === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'tinyhush-fuzz-wav-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    folder = made;
  }
  return folder;
}

function tone(frames: number, channels: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_, i) => 0.4 * Math.sin(0.03 * (c + 1) * i)));
}

function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length % 2));
  new TextEncoder().encodeInto(id, out);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => { out.set(p, at); return at + p.length; }, 0);
  return out;
}

/** A file as the writer makes it. */
function canonical(sampleRate: number, channels: number, format: SampleFormat, frames: number): Uint8Array {
  const data = encodeInterleaved(tone(frames, channels), format);
  return concat(buildWavHeader(sampleRate, channels, format, data.length), data, new Uint8Array(data.length % 2));
}

/** WAVE_FORMAT_EXTENSIBLE 24-bit stereo at 48 kHz, with a LIST chunk of odd size (padded) before the data. */
function extensibleWithChunks(): Uint8Array {
  const fmt = new Uint8Array(40);
  const view = new DataView(fmt.buffer);
  view.setUint16(0, 0xfffe, true);
  view.setUint16(2, 2, true);
  view.setUint32(4, 48000, true);
  view.setUint32(8, 48000 * 6, true);
  view.setUint16(12, 6, true);
  view.setUint16(14, 24, true);
  view.setUint16(16, 22, true);
  view.setUint16(18, 24, true);
  view.setUint32(20, 3, true);
  fmt.set([1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71], 24);
  const data = encodeInterleaved(tone(300, 2), 's24le');
  const body = concat(new TextEncoder().encode('WAVE'), chunk('fmt ', fmt), chunk('LIST', new TextEncoder().encode('INFOodd')),
    chunk('data', data));
  return concat(chunk('RIFF', body));
}

/** The header fields of `bytes`: the RIFF size, each chunk's size, and the `fmt ` fields. */
function wavFields(bytes: Uint8Array): Field[] {
  const fields: Field[] = [{ offset: 4, size: 4 }];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let pos = 12, n = 0; pos + 8 <= bytes.length && n < 16; n++) {
    const size = view.getUint32(pos + 4, true);
    fields.push({ offset: pos + 4, size: 4 });
    if (String.fromCharCode(...bytes.subarray(pos, pos + 4)) === 'fmt ') {
      for (const [at, width] of [[0, 2], [2, 2], [4, 4], [8, 4], [12, 2], [14, 2], [16, 2], [24, 2]] as const) {
        if (at + width <= size) fields.push({ offset: pos + 8 + at, size: width });
      }
    }
    pos += 8 + size + (size % 2);
  }
  return fields.filter((f) => f.offset + f.size <= bytes.length);
}

export const wavTarget: FuzzTarget = {
  name: 'wav',

  seeds: () => [
    canonical(16000, 1, 's16le', 480),
    canonical(48000, 2, 's24le', 480),
    canonical(44100, 1, 'f32le', 441),
    canonical(8000, 2, 's16le', 161),
    canonical(22050, 1, 's24le', 221),
    extensibleWithChunks(),
  ],

  fields: wavFields,

  async run(bytes) {
    const dir = caseFolder();
    const input = join(dir, 'case.wav');
    const output = join(dir, 'case-out.wav');
    writeFileSync(input, bytes);
    try {
      const whole = await readWavFile(input);
      const frames = whole.channels[0].length;
      if (whole.channels.some((c) => c.length !== frames)) throw new Error('readWavFile: channels of different lengths');
      const report = await denoiseFile(input, output, { model: smallModel() });
      if (report.input.samples !== frames) throw new Error(`denoiseFile read ${report.input.samples} frames, readWavFile ${frames}`);
      const written = await readWavFile(output);
      if (written.channels.length !== whole.channels.length || written.channels[0].length !== frames
        || written.sampleRate !== whole.sampleRate || written.format !== whole.format) {
        throw new Error('the denoised file differs from its input in layout or length');
      }
    } finally {
      rmSync(input, { force: true });
      rmSync(output, { force: true });
    }
  },
};

export default wavTarget;

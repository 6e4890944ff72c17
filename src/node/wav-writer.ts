/** Streaming WAV writer: writes samples as they come, then fixes the header's sizes on close. */
import { open, type FileHandle } from 'node:fs/promises';
import { InvalidOptionError, WavFormatError } from '../errors.js';
import { BYTES_PER_SAMPLE, encodeInterleaved, isSampleFormat, type SampleFormat } from './pcm.js';
import { buildWavHeader, checkWavRate } from './wav-header.js';

/** What a WAV file to write holds. */
export interface WavWriterOptions {
  sampleRate: number;
  /** 1 (mono) or 2 (stereo). */
  channelCount: number;
  format: SampleFormat;
}

/** RIFF sizes are u32: the data must leave room for the header inside 4 GiB. */
const MAX_DATA_BYTES = 0xffffffff - 64;

/**
 * Writes a WAV file block by block. Create with {@link WavWriter.create}, call
 * {@link WavWriter.write} per block, then {@link WavWriter.close} (which writes the final sizes).
 */
export class WavWriter {
  private dataBytes = 0;
  private readonly headerBytes: number;

  private constructor(private readonly handle: FileHandle, readonly options: WavWriterOptions) {
    this.headerBytes = buildWavHeader(options.sampleRate, options.channelCount, options.format, 0).length;
  }

  /**
   * Creates (or truncates) `path` and writes a provisional header.
   * @throws InvalidOptionError for a channel count other than 1 or 2 or an unknown format;
   *   UnsupportedRateError for a rate WAV files here may not have.
   */
  static async create(path: string, options: WavWriterOptions): Promise<WavWriter> {
    const { sampleRate, channelCount, format } = options;
    if (channelCount !== 1 && channelCount !== 2) {
      throw new InvalidOptionError(`cannot write ${channelCount} channels; supported: 1 (mono) or 2 (stereo)`);
    }
    if (!isSampleFormat(format)) {
      throw new InvalidOptionError(`unknown WAV sample format ${JSON.stringify(format)}; supported: s16le, s24le, f32le`);
    }
    checkWavRate(sampleRate, path);
    const handle = await open(path, 'w');
    const writer = new WavWriter(handle, { sampleRate, channelCount, format });
    await writer.writeHeader();
    return writer;
  }

  /** Sample frames written so far. */
  get frames(): number {
    return this.dataBytes / (this.options.channelCount * BYTES_PER_SAMPLE[this.options.format]);
  }

  /** Appends one block: one Float32Array per channel, all the same length. */
  async write(channels: readonly Float32Array[]): Promise<void> {
    if (channels.length !== this.options.channelCount || channels.some((c) => c.length !== channels[0].length)) {
      throw new InvalidOptionError(`write() needs ${this.options.channelCount} channel array(s) of equal length, `
        + `got ${channels.length} of lengths ${channels.map((c) => c.length).join(', ')}`);
    }
    const bytes = encodeInterleaved(channels, this.options.format);
    if (this.dataBytes + bytes.length > MAX_DATA_BYTES) {
      throw new WavFormatError('output would exceed the 4 GiB size limit of RIFF/WAVE files');
    }
    await this.handle.write(bytes, 0, bytes.length, this.headerBytes + this.dataBytes);
    this.dataBytes += bytes.length;
  }

  /** Adds the pad byte an odd-sized data chunk needs, writes the final sizes and closes the file. */
  async close(): Promise<void> {
    try {
      if (this.dataBytes % 2 === 1) await this.handle.write(new Uint8Array(1), 0, 1, this.headerBytes + this.dataBytes);
      await this.writeHeader();
    } finally {
      await this.handle.close();
    }
  }

  /** Closes the file without finishing it (the caller deletes it). */
  async abandon(): Promise<void> {
    await this.handle.close();
  }

  private async writeHeader(): Promise<void> {
    const { sampleRate, channelCount, format } = this.options;
    const header = buildWavHeader(sampleRate, channelCount, format, this.dataBytes);
    await this.handle.write(header, 0, header.length, 0);
  }
}

/** Streaming WAV reader: parses the header once, then reads the samples block by block. */
import { open, type FileHandle } from 'node:fs/promises';
import { WavFormatError } from '../errors.js';
import { BYTES_PER_SAMPLE, decodeInterleaved } from './pcm.js';
import { readWavLayout, type WavLayout } from './wav-header.js';

/** Sample frames per block when the caller does not say. */
export const DEFAULT_BLOCK_FRAMES = 8192;

/**
 * Most bytes one {@link WavReader.read} reads: Node's file reads take 32-bit lengths and buffer
 * offsets (larger ones abort the process), and a block is meant to be small.
 */
export const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

/**
 * Reads a WAV file in blocks through a file handle, so memory does not grow with file length.
 * Open with {@link WavReader.open}, call {@link WavReader.read} until it returns `null`, then
 * {@link WavReader.close}.
 */
export class WavReader {
  private nextFrame = 0;
  private buffer = new Uint8Array(0);

  private constructor(private readonly handle: FileHandle, private readonly path: string, readonly layout: WavLayout) {}

  /**
   * Opens `path` and checks its header.
   * @throws WavFormatError when the file is not a supported WAV; UnsupportedRateError for its rate.
   */
  static async open(path: string): Promise<WavReader> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new WavReader(handle, path, await readWavLayout(handle, size, path));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Frames not yet read. */
  get framesLeft(): number {
    return this.layout.frames - this.nextFrame;
  }

  /**
   * Reads up to `maxFrames` sample frames (and at most {@link MAX_BLOCK_BYTES} of the file): one
   * Float32Array per channel (integers scaled to [−1, 1)), or `null` once all frames were read.
   */
  async read(maxFrames = DEFAULT_BLOCK_FRAMES): Promise<Float32Array[] | null> {
    const { channelCount, format, dataOffset } = this.layout;
    const frameBytes = channelCount * BYTES_PER_SAMPLE[format];
    const frames = Math.min(maxFrames, this.framesLeft, Math.floor(MAX_BLOCK_BYTES / frameBytes));
    if (!(frames > 0)) return null;
    const byteLength = frames * frameBytes;
    if (this.buffer.length < byteLength) this.buffer = new Uint8Array(byteLength);
    const position = dataOffset + this.nextFrame * frameBytes;
    for (let done = 0; done < byteLength;) {
      const { bytesRead } = await this.handle.read(this.buffer, done, byteLength - done, position + done);
      if (bytesRead === 0) throw new WavFormatError(`${this.path}: the file shrank while being read (at byte ${position + done})`);
      done += bytesRead;
    }
    this.nextFrame += frames;
    return decodeInterleaved(this.buffer, format, channelCount, frames);
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}

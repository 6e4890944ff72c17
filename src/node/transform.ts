/** A Node Transform stream that denoises raw interleaved PCM. */
import { Transform, type TransformCallback } from 'node:stream';
import type { Denoiser } from '../denoiser.js';
import { InvalidOptionError } from '../errors.js';
import { createDenoiser, type NodeDenoiserOptions } from './create-denoiser.js';
import { BYTES_PER_SAMPLE, decodeInterleaved, encodeInterleaved, isSampleFormat, type SampleFormat } from './pcm.js';
import { trimLead } from './trim-lead.js';

/** Options of {@link createDenoiseStream}. */
export interface DenoiseStreamOptions {
  /** Sample rate of the PCM: 8000, 16000, 22050, 24000, 32000, 44100 or 48000 Hz. */
  sampleRate: number;
  /** Interleaved channels: 1 or 2. */
  channels: number;
  /** Sample encoding of the bytes, in and out: `'s16le'`, `'s24le'` or `'f32le'`. */
  format: SampleFormat;
  /** Bundled model name, `.thm` file path, model bytes or parsed Model; default: the default bundled model. */
  model?: NodeDenoiserOptions['model'];
  /** Run every frame through this exit (0 = cheapest); default: the full model. */
  exit?: number;
}

/**
 * Creates a Transform that denoises raw interleaved PCM of the given format. Chunks may split a
 * sample frame anywhere; the stream keeps the stray bytes for the next chunk.
 *
 * Timing: the output is time-aligned with the input and has exactly its byte length, so it lags
 * by the denoiser's `latencySamples` frames: the first `latencySamples` frames of processed audio are
 * held back, and the last ones are pushed (from `flush()`) when the input ends.
 * @throws InvalidOptionError for a bad channel count or format, and as `createDenoiser`; the stream
 *   errors with InvalidOptionError if the input ends inside a sample frame.
 */
export function createDenoiseStream(options: DenoiseStreamOptions): Transform {
  const { sampleRate, channels, format, model, exit } = options;
  if (channels !== 1 && channels !== 2) {
    throw new InvalidOptionError(`channels must be 1 or 2, got ${channels}`);
  }
  if (!isSampleFormat(format)) {
    throw new InvalidOptionError(`unknown PCM format ${JSON.stringify(format)}; supported: s16le, s24le, f32le`);
  }
  const denoiser = createDenoiser({
    sampleRate, channels, ...(model !== undefined && { model }), ...(exit !== undefined && { exit }),
  });
  return new DenoiseTransform(denoiser, format);
}

class DenoiseTransform extends Transform {
  private readonly frameBytes: number;
  private readonly trim: (block: Float32Array[]) => Float32Array[] | null;
  private stray: Buffer = Buffer.alloc(0);

  constructor(private readonly denoiser: Denoiser, private readonly format: SampleFormat) {
    super();
    this.frameBytes = denoiser.channels * BYTES_PER_SAMPLE[format];
    this.trim = trimLead(denoiser.latencySamples);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const bytes = this.stray.length > 0 ? Buffer.concat([this.stray, chunk]) : chunk;
      const frames = Math.floor(bytes.length / this.frameBytes);
      this.stray = Buffer.from(bytes.subarray(frames * this.frameBytes));
      if (frames > 0) {
        this.pushAligned(this.denoiser.process(decodeInterleaved(bytes, this.format, this.denoiser.channels, frames)));
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.stray.length > 0) {
      callback(new InvalidOptionError(`the PCM input ended inside a sample frame (${this.stray.length} stray bytes; `
        + `a frame is ${this.frameBytes} bytes: ${this.denoiser.channels} channel(s) of ${this.format})`));
      return;
    }
    this.pushAligned(this.denoiser.flush());
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.denoiser.dispose();
    callback(error);
  }

  /** Pushes denoiser output minus the latency frames still held back. */
  private pushAligned(block: Float32Array[]): void {
    const aligned = this.trim(block);
    if (aligned) this.push(encodeInterleaved(aligned, this.format));
  }
}

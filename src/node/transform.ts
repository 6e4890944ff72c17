/** A Node Transform stream that denoises raw interleaved PCM. */
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidOptionError } from '../errors.js';
import { createDenoiser } from '../index.js';
import { trimLead } from './trim-lead.js';
import { BYTES_PER_SAMPLE, decodeInterleaved, encodeInterleaved, isSampleFormat, type SampleFormat } from './pcm.js';

/** Options of {@link createDenoiseStream}. */
export interface DenoiseStreamOptions {
  /** Sample rate of the PCM (one the denoiser supports). */
  sampleRate: number;
  /** Interleaved channels: 1 or 2. */
  channels: number;
  /** Sample encoding of the bytes, in and out: `'s16le'`, `'s24le'` or `'f32le'`. */
  format: SampleFormat;
  /** Bundled model name, path of a `.thm` file, or model bytes; default: the default bundled model. */
  model?: string | Uint8Array;
  /** Run every frame through this exit (0 = cheapest); default: the full model. */
  exit?: number;
}

type Denoiser = Awaited<ReturnType<typeof createDenoiser>>;

/**
 * Creates a Transform that denoises raw interleaved PCM of the given format. Chunks may split a
 * sample frame anywhere; the stream keeps the stray bytes for the next chunk.
 *
 * Timing: the output is time-aligned with the input and has exactly its byte length, so it lags
 * by the denoiser's `latencySamples` frames: the first `latencySamples` frames of processed audio are
 * held back, and the last ones are pushed (from `flush()`) when the input ends.
 * @throws InvalidOptionError for a bad channel count or format; the stream errors if the input ends
 *   inside a sample frame.
 */
export function createDenoiseStream(options: DenoiseStreamOptions): Transform {
  const { sampleRate, channels, format } = options;
  if (channels !== 1 && channels !== 2) {
    throw new InvalidOptionError(`channels must be 1 or 2, got ${channels}`);
  }
  if (!isSampleFormat(format)) {
    throw new InvalidOptionError(`unknown PCM format ${JSON.stringify(format)}; supported: s16le, s24le, f32le`);
  }
  const denoiser = createDenoiser({
    sampleRate, channels,
    ...(options.model !== undefined && { model: options.model }),
    ...(options.exit !== undefined && { exit: options.exit }),
  });
  return new DenoiseTransform(denoiser, channels, format);
}

class DenoiseTransform extends Transform {
  private readonly frameBytes: number;
  private stray: Buffer = Buffer.alloc(0);
  private trim: ((block: Float32Array[]) => Float32Array[] | null) | undefined;

  constructor(private readonly denoiser: Denoiser | Promise<Denoiser>, private readonly channels: number,
    private readonly format: SampleFormat) {
    super();
    this.frameBytes = channels * BYTES_PER_SAMPLE[format];
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.run(async (denoiser) => {
      const bytes = this.stray.length > 0 ? Buffer.concat([this.stray, chunk]) : chunk;
      const frames = Math.floor(bytes.length / this.frameBytes);
      this.stray = Buffer.from(bytes.subarray(frames * this.frameBytes));
      if (frames > 0) {
        this.pushAligned(denoiser.process(decodeInterleaved(bytes, this.format, this.channels, frames)), denoiser);
      }
    }, callback);
  }

  override _flush(callback: TransformCallback): void {
    this.run(async (denoiser) => {
      if (this.stray.length > 0) {
        throw new InvalidOptionError(`the PCM input ended inside a sample frame (${this.stray.length} stray bytes; `
          + `a frame is ${this.frameBytes} bytes: ${this.channels} channel(s) of ${this.format})`);
      }
      this.pushAligned(denoiser.flush(), denoiser);
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    Promise.resolve(this.denoiser).then((d) => d.dispose(), () => undefined).finally(() => callback(error));
  }

  /** Runs a step once the denoiser exists, reporting its outcome to the stream callback. */
  private run(step: (denoiser: Denoiser) => Promise<void>, callback: TransformCallback): void {
    Promise.resolve(this.denoiser).then(step).then(() => callback(), (error: Error) => callback(error));
  }

  /** Pushes denoiser output minus the latency frames still held back. */
  private pushAligned(block: Float32Array[], denoiser: Denoiser): void {
    this.trim ??= trimLead(denoiser.latencySamples);
    const aligned = this.trim(block);
    if (aligned) this.push(encodeInterleaved(aligned, this.format));
  }
}

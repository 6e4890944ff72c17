/**
 * Interleaved little-endian PCM bytes ↔ planar float channels. Shared by the WAV reader/writer
 * and the raw-PCM Transform stream, so both convert samples the same way.
 */

/** Sample encodings: 16-bit and 24-bit signed integer PCM, 32-bit IEEE float; all little-endian. */
export type SampleFormat = 's16le' | 's24le' | 'f32le';

/** Bytes one sample of each format takes. */
export const BYTES_PER_SAMPLE: Readonly<Record<SampleFormat, number>> = { s16le: 2, s24le: 3, f32le: 4 };

/** Integer full scale: a float of 1.0 maps to this (then clips to full scale − 1). */
const FULL_SCALE = { s16le: 32768, s24le: 8388608 } as const;

/** True when `value` names a supported sample format. */
export function isSampleFormat(value: unknown): value is SampleFormat {
  return typeof value === 'string' && Object.hasOwn(BYTES_PER_SAMPLE, value);
}

/**
 * Decodes `frames` interleaved sample frames from `bytes` into one Float32Array per channel
 * (integers scaled to [−1, 1)).
 */
export function decodeInterleaved(bytes: Uint8Array, format: SampleFormat, channelCount: number,
  frames: number): Float32Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = BYTES_PER_SAMPLE[format];
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let c = 0; c < channelCount; c++) {
    const out = channels[c];
    for (let i = 0, at = c * size; i < frames; i++, at += size * channelCount) {
      out[i] = format === 's16le' ? view.getInt16(at, true) / FULL_SCALE.s16le
        : format === 'f32le' ? view.getFloat32(at, true)
          : ((view.getUint16(at, true) | (view.getInt8(at + 2) << 16)) / FULL_SCALE.s24le);
    }
  }
  return channels;
}

/**
 * Encodes planar channels (all the same length) as interleaved bytes. Integer formats round to
 * nearest and clip to the format's range; float is written as is.
 */
export function encodeInterleaved(channels: readonly Float32Array[], format: SampleFormat): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const size = BYTES_PER_SAMPLE[format];
  const bytes = new Uint8Array(frames * channels.length * size);
  const view = new DataView(bytes.buffer);
  channels.forEach((samples, c) => {
    for (let i = 0, at = c * size; i < frames; i++, at += size * channels.length) {
      if (format === 'f32le') {
        view.setFloat32(at, samples[i], true);
      } else {
        const scale = FULL_SCALE[format];
        const value = Math.max(-scale, Math.min(scale - 1, Math.round(samples[i] * scale)));
        if (format === 's16le') {
          view.setInt16(at, value, true);
        } else {
          view.setUint16(at, value & 0xffff, true);
          view.setInt8(at + 2, value >> 16);
        }
      }
    }
  });
  return bytes;
}

/**
 * WAV files: streaming reader and writer, plus whole-file helpers for short files (evaluation).
 * Supported: RIFF/WAVE, 16-bit PCM, 24-bit PCM, 32-bit float (plain or WAVE_FORMAT_EXTENSIBLE),
 * mono or stereo, at 8, 16, 22.05, 24, 32, 44.1 or 48 kHz.
 */
import { WavFormatError } from '../errors.js';
import { WavReader } from './wav-reader.js';
import { WavWriter } from './wav-writer.js';
import type { SampleFormat } from './pcm.js';

export { WavReader, DEFAULT_BLOCK_FRAMES, MAX_BLOCK_BYTES } from './wav-reader.js';
export { WavWriter, type WavWriterOptions } from './wav-writer.js';
export type { WavLayout } from './wav-header.js';
export type { SampleFormat } from './pcm.js';

/** A whole WAV file in memory: one Float32Array per channel. */
export interface WavAudio {
  sampleRate: number;
  channels: Float32Array[];
  format: SampleFormat;
}

/** Most samples (all channels) {@link readWavFile} holds in memory: 2 GiB of floats, 9.3 hours at 16 kHz mono. */
export const MAX_IN_MEMORY_SAMPLES = 2 ** 29;

/**
 * Reads a whole WAV file into memory (use {@link WavReader} for long files).
 * @throws WavFormatError / UnsupportedRateError as {@link WavReader.open}; WavFormatError for a
 *   file of more than {@link MAX_IN_MEMORY_SAMPLES} samples.
 */
export async function readWavFile(path: string): Promise<WavAudio> {
  const reader = await WavReader.open(path);
  try {
    const { sampleRate, format, frames, channelCount } = reader.layout;
    if (frames * channelCount > MAX_IN_MEMORY_SAMPLES) {
      throw new WavFormatError(`${path}: ${frames} frames of ${channelCount} channel(s) are too many to read into `
        + `memory (at most ${MAX_IN_MEMORY_SAMPLES} samples); stream it with WavReader or denoiseFile`);
    }
    const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
    for (let done = 0, block = await reader.read(frames); block; block = await reader.read(frames - done)) {
      block.forEach((samples, c) => channels[c].set(samples, done));
      done += block[0].length;
    }
    return { sampleRate, format, channels };
  } finally {
    await reader.close();
  }
}

/** Writes a whole WAV file; integer formats are rounded and clipped. */
export async function writeWavFile(path: string, audio: WavAudio): Promise<void> {
  const writer = await WavWriter.create(path, {
    sampleRate: audio.sampleRate, channelCount: audio.channels.length, format: audio.format,
  });
  try {
    await writer.write(audio.channels);
  } catch (error) {
    await writer.abandon();
    throw error;
  }
  await writer.close();
}

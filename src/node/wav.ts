/**
 * WAV files: streaming reader and writer, plus whole-file helpers for short files (evaluation).
 * Supported: RIFF/WAVE, 16-bit PCM, 24-bit PCM, 32-bit float (plain or WAVE_FORMAT_EXTENSIBLE),
 * mono or stereo, at 8, 16, 22.05, 24, 32, 44.1 or 48 kHz.
 */
import { WavReader } from './wav-reader.js';
import { WavWriter } from './wav-writer.js';
import type { SampleFormat } from './pcm.js';

export { WavReader, DEFAULT_BLOCK_FRAMES } from './wav-reader.js';
export { WavWriter, type WavWriterOptions } from './wav-writer.js';
export type { WavLayout } from './wav-header.js';
export type { SampleFormat } from './pcm.js';

/** A whole WAV file in memory: one Float32Array per channel. */
export interface WavAudio {
  sampleRate: number;
  channels: Float32Array[];
  format: SampleFormat;
}

/**
 * Reads a whole WAV file into memory (use {@link WavReader} for long files).
 * @throws WavFormatError / UnsupportedRateError as {@link WavReader.open}.
 */
export async function readWavFile(path: string): Promise<WavAudio> {
  const reader = await WavReader.open(path);
  try {
    const { sampleRate, format, frames } = reader.layout;
    const channels = await reader.read(frames);
    return { sampleRate, format, channels: channels ?? [] };
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

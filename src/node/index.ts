/**
 * `tinyhush/node`: everything from `tinyhush`, plus WAV files, file-to-file denoising and a
 * Transform stream for raw PCM.
 */
export * from '../index.js';
export {
  denoiseFile, type DenoiseFileOptions, type DenoiseFileReport, type DenoiseProgress, type AudioFileInfo,
  type DenoiserTelemetry,
} from './denoise-file.js';
export { createDenoiseStream, type DenoiseStreamOptions } from './transform.js';
export {
  readWavFile, writeWavFile, WavReader, WavWriter, DEFAULT_BLOCK_FRAMES, SUPPORTED_WAV_RATES,
  type WavAudio, type WavLayout, type WavWriterOptions, type SampleFormat,
} from './wav.js';

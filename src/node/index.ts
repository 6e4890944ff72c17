/**
 * `tinyhush/node`: everything from `tinyhush`, plus WAV files, file-to-file denoising and a
 * Transform stream for raw PCM.
 */
export * from '../index.js';
// Replace the core createDenoiser and createDenoiserHost: same options, plus bundled model names and file paths.
export { createDenoiser, type NodeDenoiserOptions } from './create-denoiser.js';
export { createDenoiserHost, type NodeDenoiserHostOptions } from './create-host.js';
export {
  createDenoiserPool, type DenoiserPool, type DenoiserPoolOptions, type PoolAudio, type PoolJobOptions, type PoolRunOptions,
} from './pool.js';
export { listModels, resolveModelBytes, DEFAULT_MODEL, type ModelEntry } from '../model/registry.js';
export {
  denoiseFile, type DenoiseFileOptions, type DenoiseFileReport, type DenoiseProgress, type AudioFileInfo,
} from './denoise-file.js';
export { createDenoiseStream, type DenoiseStreamOptions } from './transform.js';
export {
  readWavFile, writeWavFile, WavReader, WavWriter, DEFAULT_BLOCK_FRAMES,
  type WavAudio, type WavLayout, type WavWriterOptions, type SampleFormat,
} from './wav.js';

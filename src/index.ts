/**
 * tinyhush: real-time speech denoising in WebAssembly. This entry is browser-safe; `tinyhush/node`
 * adds files, streams and bundled model names on top of it.
 */
export { createDenoiser, type Denoiser } from './denoiser.js';
export type { DenoiserOptions, DenoiserHostOptions, DenoiserStreamOptions } from './denoiser-options.js';
export { createDenoiserHost, type DenoiserHost } from './host/host.js';
export type {
  PolicySpec, ResolvedPolicySpec, FixedPolicySpec, BudgetPolicySpec, AdaptivePolicySpec,
} from './policy/spec.js';
export type { TelemetryReport } from './telemetry/counters.js';
export type { FrameReport, FrameListener } from './stream/speech.js';
export type { ExitInfo, GateInfo } from './engine/types.js';
export { SUPPORTED_RATES } from './stream/rates.js';
export { relaxedSimdSupported, type CoreBuild, type CoreBuildChoice } from './wasm/core.js';
export { readModel } from './model/read.js';
export type { Model, ModelHeader } from './model/types.js';
export {
  TinyhushError, ModelFormatError, WavFormatError, UnsupportedRateError, InvalidOptionError, UnknownModelError,
} from './errors.js';

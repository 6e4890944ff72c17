/**
 * What the main thread and the tinyhush AudioWorklet processor say to each other: the
 * `processorOptions` the node is built with and the messages on its port. Plain data only (the
 * structured clone carries it; never a `WebAssembly.Module`).
 */
import type { ExitInfo, GateInfo } from '../engine/types.js';
import type { PolicySpec, ResolvedPolicySpec } from '../policy/spec.js';
import type { CoreBuild, CoreBuildChoice } from '../wasm/core.js';
import type { TelemetryReport } from '../telemetry/counters.js';

/** Name the processor registers under. */
export const PROCESSOR_NAME = 'tinyhush-denoiser';

/** `processorOptions` of the node (the model travels as bytes; the WASM core is in the processor file). */
export interface ProcessorOptions {
  model: Uint8Array;
  channels: number;
  exit?: number;
  policy?: PolicySpec;
  gateRatio?: number;
  wasmBuild?: CoreBuildChoice;
  /** Telemetry messages per second (0: none). */
  telemetryHz: number;
}

/** Main thread → processor. `id` pairs a request with its answer. */
export type ToProcessor =
  | { type: 'policy'; id: number; policy: PolicySpec }
  | { type: 'gate-ratio'; id: number; ratio: number }
  | { type: 'enabled'; id: number; enabled: boolean }
  | { type: 'reset'; id: number }
  | { type: 'reset-telemetry'; id: number }
  | { type: 'dispose'; id: number };

/** Facts about the running denoiser, sent once it is built. */
export interface ProcessorInfo {
  exits: readonly ExitInfo[];
  latencySamples: number;
  latencySeconds: number;
  wasmBuild: CoreBuild;
  policy: ResolvedPolicySpec;
  gates: readonly GateInfo[];
  gateRatio: number;
}

/** A thrown error as plain data (rebuilt as the same typed error on the main thread). */
export interface ErrorData {
  name: string;
  code: string;
  message: string;
}

/** A telemetry event's data: the stream's report plus the speech probability of each frame since the last event. */
export interface WorkletTelemetry extends TelemetryReport {
  /** Per model frame since the previous event, oldest first: the speech probability (largest over channels). */
  speechFrames: Float32Array;
  /**
   * Per model frame since the previous event, oldest first, one value per gate (`gates.length`
   * values a frame, frame-major): the share of the gate's channels that ran (largest over
   * channels; NaN where the frame skipped the gate). Empty for a model without gates.
   */
  gateFrames: Float32Array;
}

/** Processor → main thread. */
export type FromProcessor =
  | { type: 'ready'; info: ProcessorInfo }
  | { type: 'failed'; error: ErrorData }
  | { type: 'done'; id: number; policy: ResolvedPolicySpec; gateRatio: number }
  | { type: 'rejected'; id: number; error: ErrorData }
  | { type: 'telemetry'; telemetry: WorkletTelemetry };

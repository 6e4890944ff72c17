/**
 * `createDenoiser`: the public streaming API over one model. Browser-safe: it takes model bytes
 * or a parsed `Model`; `tinyhush/node` adds bundled names and file paths.
 */
import { assertExit, assertGateRatio, checkOptions, type CheckedStreamOptions, type DenoiserOptions } from './denoiser-options.js';
import { clampGateRatio } from './engine/gate-ratio.js';
import type { ExitInfo, GateInfo } from './engine/types.js';
import { InvalidOptionError, TinyhushError } from './errors.js';
import { loadModel, type LoadedModel } from './host/load.js';
import { pooledSlots, type StreamSlots } from './host/slots.js';
import { createPolicy, resolvePolicySpec, type PolicySpec, type ResolvedPolicySpec } from './policy/spec.js';
import type { PolicyContext } from './policy/types.js';
import type { FrameListener } from './stream/speech.js';
import type { Stream } from './stream/stream.js';
import type { TelemetryReport } from './telemetry/counters.js';
import { isFloat32Array } from './typed-arrays.js';
import type { CoreBuild } from './wasm/core.js';

/** A real-time denoiser for one multi-channel stream. */
export interface Denoiser {
  /** Sample rate of input and output, Hz. */
  readonly sampleRate: number;
  /** Audio channels. */
  readonly channels: number;
  /** Output delay: output sample n is the enhanced input sample n − latencySamples. */
  readonly latencySamples: number;
  /** The exact output delay in seconds (resampler delays can make it a fractional sample count). */
  readonly latencySeconds: number;
  /** The WASM build running this denoiser (see {@link DenoiserOptions.wasmBuild}). */
  readonly wasmBuild: CoreBuild;
  /** The model's exits, cheapest first, with their dense MACs per frame. */
  readonly exits: readonly ExitInfo[];
  /** The exit every frame runs through under a fixed policy; −1 while a budget or adaptive policy picks per frame. */
  readonly exit: number;
  /** The policy running now, with its defaults filled in (and a budget clamped to the model's range). */
  readonly policy: ResolvedPolicySpec;
  /** The model's channel gates (empty without); `decides` marks the gates the gate ratio steers. */
  readonly gates: readonly GateInfo[];
  /**
   * The gate ratio frames run at outside a budget policy: as set, clamped to the model's trained
   * range (0.25–1); 1 for a model whose gates do not decide.
   */
  readonly gateRatio: number;
  /**
   * Denoises one chunk of any length (0 included) and returns exactly as many samples, delayed by
   * `latencySamples`. The output does not depend on how the audio is cut into chunks. NaN and
   * ±Infinity inputs are replaced by 0 (and counted). Mono: a Float32Array in, one out; any channel
   * count: one Float32Array per channel (planar, equal lengths). Pass `output` (at least as long as
   * the input) to avoid allocating; it is returned.
   */
  process(input: Float32Array, output?: Float32Array): Float32Array;
  process(input: readonly Float32Array[], output?: Float32Array[]): Float32Array[];
  /**
   * Ends the stream: returns the last `latencySamples` samples of each channel (the input as if
   * followed by silence) and resets the denoiser for a new stream.
   */
  flush(output?: Float32Array[]): Float32Array[];
  /** Starts a new stream: clears model state, STFT and resampler histories and the output FIFO. */
  reset(): void;
  /** Runs every following frame through exit `exit` (0 = cheapest, `exits.length − 1` = full). */
  setExit(exit: number): void;
  /**
   * Switches the exit policy from the next frame on (mid-stream allowed; the new policy starts
   * with fresh per-channel state). See {@link DenoiserOptions.policy}.
   * @throws InvalidOptionError for a malformed spec, saying which field and what is allowed.
   */
  setPolicy(policy: PolicySpec): void;
  /**
   * Runs the following frames at gate ratio `ratio` (see {@link DenoiserOptions.gateRatio}):
   * on a model whose gates decide, fewer channels run at lower ratios; a model without such gates
   * ignores it. A budget policy sets the ratio itself while it runs.
   * @throws InvalidOptionError unless `ratio` is a number from 0 to 1.
   */
  setGateRatio(ratio: number): void;
  /**
   * Called during `process` after every model frame of every channel (100 a second per channel)
   * with the frame's exit, speech probability (the model's speech-presence head, or derived from the
   * mask for a model without one: `src/stream/speech.ts`) and,
   * for a model with channel gates, each gate's share of channels that ran.
   * The report object is reused: copy what you keep. `undefined` (default) stops the calls.
   */
  onFrame: FrameListener | undefined;
  /** Cost and health counters since creation or the last `resetTelemetry()`. */
  telemetry(): TelemetryReport;
  /** Zeroes the telemetry counters. */
  resetTelemetry(): void;
  /**
   * Ends this denoiser: any later call throws. A stand-alone denoiser lets its WASM instance go; a
   * host's stream returns its state slot to the host for the next stream of the same shape.
   */
  dispose(): void;
}

function disposedError(): TinyhushError {
  return new TinyhushError('DISPOSED', 'this denoiser was disposed; create a new one with createDenoiser()');
}

/** True when `value` is `channels` Float32Arrays of at least `n` (or, with `exact`, exactly `n`) samples. */
function isPlanar(value: unknown, channels: number, n: number, exact: boolean): value is Float32Array[] {
  if (!Array.isArray(value) || value.length !== channels) return false;
  for (let c = 0; c < channels; c++) {
    const channel: unknown = value[c];
    if (!isFloat32Array(channel) || channel.length < n || (exact && channel.length !== n)) return false;
  }
  return true;
}

/** The caller's output arrays (checked), or fresh ones: `channels` arrays of `n` samples. */
function outputsFor(channels: number, output: Float32Array[] | undefined, n: number): Float32Array[] {
  if (output === undefined) return Array.from({ length: channels }, () => new Float32Array(n));
  if (!isPlanar(output, channels, n, false)) {
    throw new InvalidOptionError(`output must be ${channels} Float32Array(s) of at least ${n} samples each`);
  }
  return output;
}

/**
 * Creates a denoiser: its own WASM instance with the model's weights, one model state per channel.
 * For many streams of one model, `createDenoiserHost` shares the weights between them.
 * @throws InvalidOptionError for unknown or malformed options, UnsupportedRateError for a rate
 *   outside 8000, 16000, 22050, 24000, 32000, 44100, 48000 Hz, ModelFormatError for a bad model file,
 *   TinyhushError `UNSUPPORTED_RUNTIME` for `wasmBuild: 'relaxed-simd'` where it cannot run.
 */
export function createDenoiser(options: DenoiserOptions): Denoiser {
  const { model, skippedState, wasmBuild, ...shape } = checkOptions(options);
  const loaded = loadModel({ model, wasmBuild, ...(skippedState !== undefined && { skippedState }) });
  return openDenoiser(loaded, shape, pooledSlots(loaded), () => {});
}

/**
 * The denoiser over a stream taken from `slots` (internal: `createDenoiser` and hosts call it).
 * `onDispose` runs once, after the stream went back to `slots`.
 */
export function openDenoiser(loaded: LoadedModel, shape: CheckedStreamOptions, slots: StreamSlots,
  onDispose: () => void): Denoiser {
  const { core, engine, model } = loaded;
  const { sampleRate, channels } = shape;
  const exitCount = model.header.exits.length;
  if (shape.exit !== undefined) assertExit(shape.exit, exitCount);
  const framesPerSecond = model.header.sampleRate / model.header.stft.hop;
  const decides = engine.gates.some((gate) => gate.decides);
  const context: PolicyContext = {
    exits: engine.exits, channels, framesPerSecond, ...(decides && { minGateRatio: clampGateRatio(0) }),
  };
  let spec = Object.freeze(resolvePolicySpec(shape.policy ?? { kind: 'fixed', exit: shape.exit ?? exitCount - 1 }, context));
  let stream: Stream | undefined = slots.take(sampleRate, channels, createPolicy(spec, context));
  const live = (): Stream => {
    if (stream === undefined) throw disposedError();
    return stream;
  };
  let gateRatio = 1;
  const applyGateRatio = (ratio: number): void => {
    gateRatio = decides ? clampGateRatio(ratio) : 1;
    live().setGateRatio(gateRatio); // a pooled stream keeps its last user's ratio otherwise
  };
  applyGateRatio(shape.gateRatio);
  // Mono calls wrap their arrays in these, so a call with an output array allocates nothing.
  const monoIn: Float32Array[] = [new Float32Array(0)];
  const monoOut: Float32Array[] = [new Float32Array(0)];

  const denoiser = {
    sampleRate, channels,
    wasmBuild: core.build,
    latencySamples: live().latency.samples,
    latencySeconds: live().latency.exact / sampleRate,
    exits: engine.exits,
    gates: engine.gates,
    get gateRatio() { return gateRatio; },
    get exit() { return spec.kind === 'fixed' ? spec.exit : -1; },
    get policy() { return spec; },
    get onFrame() { return live().onFrame; },
    set onFrame(listener: FrameListener | undefined) {
      if (listener !== undefined && typeof listener !== 'function') {
        throw new InvalidOptionError(`onFrame must be a function or undefined, got ${typeof listener}`);
      }
      live().onFrame = listener;
    },
    process(input: Float32Array | readonly Float32Array[], output?: Float32Array | Float32Array[]) {
      const s = live();
      if (isFloat32Array(input)) {
        if (channels !== 1) {
          throw new InvalidOptionError(`this denoiser has ${channels} channels: pass an array of ${channels} Float32Arrays (planar)`);
        }
        monoIn[0] = input;
        if (output !== undefined) monoOut[0] = output as Float32Array;
        const outputs = outputsFor(1, output === undefined ? undefined : monoOut, input.length);
        s.process(monoIn, outputs, input.length);
        return outputs[0];
      }
      const n = Array.isArray(input) && input.length > 0 && isFloat32Array(input[0]) ? input[0].length : 0;
      if (!isPlanar(input, channels, n, true)) {
        throw new InvalidOptionError(`process takes a Float32Array (mono) or an array of ${channels} Float32Arrays of equal length`);
      }
      const outputs = outputsFor(channels, output as Float32Array[] | undefined, n);
      s.process(input, outputs, n);
      return outputs;
    },
    flush(output?: Float32Array[]) {
      const s = live();
      const outputs = outputsFor(channels, output, s.latency.samples);
      s.flush(outputs);
      return outputs;
    },
    reset() { live().reset(); },
    setExit(next: number) {
      assertExit(next, exitCount);
      denoiser.setPolicy({ kind: 'fixed', exit: next });
    },
    setPolicy(next: PolicySpec) {
      const s = live();
      const resolved = resolvePolicySpec(next, context);
      s.policy = createPolicy(resolved, context);
      spec = Object.freeze(resolved);
    },
    setGateRatio(ratio: number) {
      assertGateRatio(ratio);
      applyGateRatio(ratio);
    },
    telemetry() { return live().telemetry(); },
    resetTelemetry() { live().resetTelemetry(); },
    dispose() {
      if (stream === undefined) return;
      stream.onFrame = undefined;
      slots.give(stream);
      stream = undefined;
      onDispose();
    },
  };
  return denoiser as Denoiser;
}

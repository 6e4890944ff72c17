/**
 * A multi-channel denoising stream at any supported rate: one `Channel` (own recurrent state) per
 * audio channel, all sharing one engine (the weights) and one set of scratch buffers.
 * `process` returns exactly as many samples as it is given, delayed by `latency.samples`, and the
 * output does not depend on how the input is chunked (docs/internals.md, "Signal path").
 */
import type { Engine } from '../engine/types.js';
import { V1_SAMPLE_RATE, V1_STFT } from '../model/validate-header.js';
import type { Policy } from '../policy/types.js';
import { nowSeconds } from '../telemetry/clock.js';
import { StreamCounters, type TelemetryReport } from '../telemetry/counters.js';
import type { Core } from '../wasm/core.js';
import { Channel, type ChannelSetup, type Resamplers, type Scratch } from './channel.js';
import type { FrameListener } from './speech.js';
import { streamLatency, type StreamLatency } from './latency.js';

/** Input samples moved into WASM per step: bounds the scratch buffers whatever the chunk size. */
const BLOCK = 1024;
/** The v1 signal path: 16 kHz model, sqrt-Hann 320 / hop 160 STFT (win − hop samples of delay). */
const MODEL_RATE = V1_SAMPLE_RATE;
const WINDOW = V1_STFT.windowLength;
const HOP = V1_STFT.hop;
/**
 * Mask bins whose energy gain drives the band above 8 kHz: 6.0–7.2 kHz, the top of the model's
 * band below the resamplers' transition (docs/fullband.md).
 */
const HIGH_BINS = { from: Math.round((6000 * WINDOW) / MODEL_RATE), to: Math.round((7200 * WINDOW) / MODEL_RATE) };

/** Shape of a stream. */
export interface StreamOptions {
  sampleRate: number;
  channels: number;
  policy: Policy;
}

/** A running stream; inputs and outputs are validated by the caller (the `Denoiser`). */
export interface Stream {
  readonly sampleRate: number;
  readonly channels: number;
  readonly latency: StreamLatency;
  /** Decides each frame's exit and gates; may be replaced between calls (the next frame uses the new one). */
  policy: Policy;
  /** Called after each model frame (per channel) with its exit and speech probability; may be replaced. */
  onFrame: FrameListener | undefined;
  /** Denoises `n` samples of each `inputs[c]` into `outputs[c]` (both at least `n` long). */
  process(inputs: readonly Float32Array[], outputs: readonly Float32Array[], n: number): void;
  /** Writes the last `latency.samples` samples of each channel into `outputs`, then resets. */
  flush(outputs: readonly Float32Array[]): void;
  /** Back to the stream start (state, histories, FIFOs); telemetry and the gate ratio are kept. */
  reset(): void;
  /** Sets every channel's gate ratio from the next frame on (clamped by the engine; a model without decision gates ignores it). */
  setGateRatio(ratio: number): void;
  telemetry(): TelemetryReport;
  resetTelemetry(): void;
}

function allocScratch(core: Core, engine: Engine, sampleRate: number): Scratch {
  const toModel = Math.ceil((BLOCK * MODEL_RATE) / sampleRate) + 2;
  const fromModel = Math.ceil((HOP * sampleRate) / MODEL_RATE) + 2;
  return {
    input: core.allocF32(BLOCK),
    resampled: core.allocF32(toModel),
    spectrum: core.allocF32(2 * (WINDOW / 2 + 1)),
    features: core.allocF32(engine.bins),
    mask: core.allocF32(engine.bins),
    hopOut: core.allocF32(HOP),
    resampledOut: core.allocF32(fromModel),
    resampledRef: sampleRate > MODEL_RATE ? core.allocF32(fromModel) : 0,
  };
}

/**
 * Creates a stream over `engine`. Streams of one engine share its core and weights; each holds only
 * its state (allocated here, in the core's memory) and counts only the work of its own calls.
 */
export function createStream(core: Core, engine: Engine, options: StreamOptions): Stream {
  const { sampleRate, channels } = options;
  const k = core.exports;
  const counters = new StreamCounters(engine.exits.length, channels, engine.gates.length);
  const frames: ChannelSetup['frames'] = { listener: undefined };
  const fullExitMacs = engine.exits[engine.exits.length - 1].macsPerFrame;
  // The resampler delays decide the latency, which sizes the FIFOs the channels are built with.
  const resamplers = Array.from({ length: channels }, (): Resamplers => (sampleRate === MODEL_RATE
    ? { in: 0, out: 0, ref: 0, high: 0 }
    : { in: k.resamplerCreate(sampleRate, MODEL_RATE), out: k.resamplerCreate(MODEL_RATE, sampleRate), ref: 0, high: 0 }));
  const delay = (rs: number): number => (rs === 0 ? 0 : k.resamplerDelay(rs));
  const latency = streamLatency(sampleRate, MODEL_RATE, HOP, WINDOW - HOP, delay(resamplers[0].in), delay(resamplers[0].out));
  if (sampleRate > MODEL_RATE) {
    // Above 16 kHz the stream has a band the model never sees: restore it, delayed like the model path.
    const maxLag = latency.priming + BLOCK + 8;
    for (const rs of resamplers) {
      rs.ref = k.resamplerCreate(MODEL_RATE, sampleRate);
      rs.high = k.highbandCreate(sampleRate, latency.exact - latency.priming, k.resamplerDelay(rs.out), maxLag);
    }
  }
  // After a block the FIFO holds at most priming + block + a few samples of resampler phase.
  const setup: ChannelSetup = {
    core, engine, counters, sampleRate,
    scratch: allocScratch(core, engine, sampleRate),
    hop: HOP, window: WINDOW, modelRate: MODEL_RATE,
    priming: latency.priming, fifoCapacity: latency.priming + BLOCK + 8,
    highBins: HIGH_BINS, frames,
  };
  const lanes = resamplers.map((rs, c) => new Channel(setup, c, rs));
  const zeros: Float32Array[] = [];

  const stream: Stream = {
    sampleRate, channels, latency,
    policy: options.policy,
    get onFrame() { return frames.listener; },
    set onFrame(listener) { frames.listener = listener; },
    process(inputs, outputs, n) {
      const started = nowSeconds();
      const macsBefore = k.macCount();
      const weightBytesBefore = k.weightBytesRead();
      for (let offset = 0; offset < n; offset += BLOCK) {
        const len = Math.min(BLOCK, n - offset);
        for (let c = 0; c < channels; c++) {
          const memory = core.heapF32();
          const source = inputs[c];
          const base = setup.scratch.input >>> 2;
          for (let i = 0; i < len; i++) memory[base + i] = source[offset + i];
          counters.nonFiniteSamples += k.sanitize(setup.scratch.input, len);
          lanes[c].consume(len, stream.policy);
          lanes[c].fifo.pop(outputs[c], offset, len);
        }
      }
      counters.samples += n;
      counters.addWork(k, macsBefore, weightBytesBefore);
      counters.seconds += nowSeconds() - started;
    },
    flush(outputs) {
      if (zeros.length === 0) for (let c = 0; c < channels; c++) zeros.push(new Float32Array(latency.samples));
      stream.process(zeros, outputs, latency.samples);
      stream.reset();
    },
    reset() {
      for (const lane of lanes) lane.reset();
    },
    setGateRatio(ratio) {
      for (const lane of lanes) lane.setGateRatio(ratio);
    },
    telemetry() {
      return counters.report(sampleRate, fullExitMacs, { samples: latency.samples, seconds: latency.exact / sampleRate },
        stream.policy.kind);
    },
    resetTelemetry() {
      counters.reset();
    },
  };
  return stream;
}

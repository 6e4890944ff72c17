/**
 * Per-stream cost counters and the report built from them. MACs and weight bytes come from the
 * WASM kernels' own counters (what actually ran), taken as the difference over each of the stream's
 * calls, so streams sharing one core count only their own work; `macsDense` is what the full model
 * would cost.
 */
import type { PolicyKind } from '../policy/types.js';
import type { CoreExports } from '../wasm/core.js';

/** What one stream has done and cost since it was created or `resetTelemetry()` was called. */
export interface TelemetryReport {
  /** Model frames (hops) run, summed over channels. */
  frames: number;
  /** Multiply-accumulates the model kernels executed. */
  macs: number;
  /** MACs the same frames would cost through the full model with every channel on. */
  macsDense: number;
  /** Weight (and bias) bytes the kernels read. */
  weightBytes: number;
  /** Seconds spent computing inside `process()` / `flush()` (WASM kernels and their JS glue). */
  wasmSeconds: number;
  /** Seconds of audio processed per channel (flush padding included). */
  audioSeconds: number;
  /** `wasmSeconds / audioSeconds`: below 1 is faster than real time. */
  realTimeFactor: number;
  /** Output delay in samples at the stream rate. */
  latencySamples: number;
  /** Output delay in seconds. */
  latencySeconds: number;
  /** Frames run through each exit, indexed by exit. */
  exitHistogram: number[];
  /** `macs / audioSeconds`. */
  macsPerSecond: number;
  /** Frames whose exit differs from the previous frame's of the same channel, summed over channels. */
  exitChanges: number;
  /** `exitChanges / audioSeconds`: how often the policy switched exits. */
  decisionsPerSecond: number;
  /** The exit policy running now: `'fixed'`, `'budget'` or `'adaptive'`. */
  policy: PolicyKind;
  /**
   * Speech probability of the latest frame, the largest over channels, in [0, 1]: the model's
   * speech-presence head, or derived from the mask for a model without one (src/stream/speech.ts).
   */
  speechProbability: number;
  /** Share of frames since the last reset whose speech probability was at least 0.5. */
  speechFraction: number;
  /** NaN or ±Infinity input samples replaced by zero. */
  nonFiniteSamples: number;
  /** Times a channel's model state was reset because the model produced a non-finite mask. */
  stateResets: number;
  /**
   * Per gate (the model's `gates`, empty without), the mean share of its channels that ran, over
   * the frames that ran the gate (0 before any did).
   */
  gateActiveRatio: number[];
}

/** Mutable counters the stream updates on its hot path (plain fields, no allocation). */
export class StreamCounters {
  frames = 0;
  samples = 0;
  seconds = 0;
  nonFiniteSamples = 0;
  stateResets = 0;
  exitChanges = 0;
  /** MACs and weight bytes the kernels counted during this stream's calls. */
  macs = 0;
  weightBytes = 0;
  /** Frames with a speech probability of at least 0.5. */
  speechFrames = 0;
  readonly exitHistogram: number[];
  /** Each channel's latest speech probability. */
  private readonly speech: Float32Array;
  /** Per gate: the sum over frames of the share of channels that ran, and the frames that ran it. */
  private readonly gateShares: Float64Array;
  private readonly gateFrames: Float64Array;

  constructor(exits: number, channels = 1, gates = 0) {
    this.exitHistogram = new Array<number>(exits).fill(0);
    this.speech = new Float32Array(channels);
    this.gateShares = new Float64Array(gates);
    this.gateFrames = new Float64Array(gates);
  }

  /** Records one frame's share of each gate's channels that ran (NaN: the frame skipped the gate, not counted). */
  addGates(shares: Float32Array): void {
    for (let g = 0; g < shares.length; g++) {
      if (Number.isNaN(shares[g])) continue;
      this.gateShares[g] += shares[g];
      this.gateFrames[g]++;
    }
  }

  /** Records one frame's speech probability. */
  addSpeech(channel: number, probability: number): void {
    this.speech[channel] = probability;
    if (probability >= 0.5) this.speechFrames++;
  }

  /** Adds the kernels' work since `before` (a `kernels.macCount()` / `weightBytesRead()` pair). */
  addWork(kernels: CoreExports, macsBefore: number, weightBytesBefore: number): void {
    this.macs += kernels.macCount() - macsBefore;
    this.weightBytes += kernels.weightBytesRead() - weightBytesBefore;
  }

  /** Zeroes these counters. */
  reset(): void {
    this.frames = 0;
    this.samples = 0;
    this.seconds = 0;
    this.nonFiniteSamples = 0;
    this.stateResets = 0;
    this.exitChanges = 0;
    this.macs = 0;
    this.weightBytes = 0;
    this.exitHistogram.fill(0);
    this.speechFrames = 0;
    this.speech.fill(0);
    this.gateShares.fill(0);
    this.gateFrames.fill(0);
  }

  /** A snapshot report. `denseMacsPerFrame` is the full exit's cost; `latency` is in seconds and samples. */
  report(sampleRate: number, denseMacsPerFrame: number,
    latency: { samples: number; seconds: number }, policy: PolicyKind): TelemetryReport {
    const audioSeconds = this.samples / sampleRate;
    const macs = this.macs;
    return {
      frames: this.frames,
      macs,
      macsDense: this.frames * denseMacsPerFrame,
      weightBytes: this.weightBytes,
      wasmSeconds: this.seconds,
      audioSeconds,
      realTimeFactor: audioSeconds > 0 ? this.seconds / audioSeconds : 0,
      latencySamples: latency.samples,
      latencySeconds: latency.seconds,
      exitHistogram: [...this.exitHistogram],
      macsPerSecond: audioSeconds > 0 ? macs / audioSeconds : 0,
      exitChanges: this.exitChanges,
      decisionsPerSecond: audioSeconds > 0 ? this.exitChanges / audioSeconds : 0,
      policy,
      speechProbability: Math.max(...this.speech),
      speechFraction: this.frames > 0 ? this.speechFrames / this.frames : 0,
      nonFiniteSamples: this.nonFiniteSamples,
      stateResets: this.stateResets,
      gateActiveRatio: Array.from(this.gateShares, (sum, g) => (this.gateFrames[g] > 0 ? sum / this.gateFrames[g] : 0)),
    };
  }
}

/**
 * One audio channel of a stream: resampler in → hop framing → STFT → features → engine → mask →
 * iSTFT/OLA → resampler out (+ the gained band above 8 kHz, when the stream rate has one) → output
 * FIFO. Per hop the host makes one WASM call before the policy
 * decides (analysis), one per layer group the policy picks (the engine), and one after (synthesis).
 * Its own recurrent state lives here; the scratch buffers are shared with the stream's other
 * channels (they run one after another).
 */
import type { Engine, EngineState } from '../engine/types.js';
import type { FrameInfo, Policy } from '../policy/types.js';
import type { StreamCounters } from '../telemetry/counters.js';
import type { Core } from '../wasm/core.js';
import { SampleFifo } from './fifo.js';
import { maskSpeechProbability, type FrameListener, type FrameReport } from './speech.js';

/** WASM buffers every channel uses in turn (allocated once per stream). */
export interface Scratch {
  /** Stream-rate input block. */
  input: number;
  /** Input block at the model rate (when resampling). */
  resampled: number;
  spectrum: number;
  features: number;
  mask: number;
  /** One hop of enhanced model-rate output. */
  hopOut: number;
  /** One hop of output at the stream rate (when resampling). */
  resampledOut: number;
  /** One hop of the unmasked model path at the stream rate (the high band's reference). */
  resampledRef: number;
}

/** Fixed shape of the signal path, shared by the channels of a stream. */
export interface ChannelSetup {
  core: Core;
  engine: Engine;
  scratch: Scratch;
  hop: number;
  window: number;
  sampleRate: number;
  modelRate: number;
  fifoCapacity: number;
  priming: number;
  counters: StreamCounters;
  /** Mask bins [from, to) whose gain drives the high band. */
  highBins: { from: number; to: number };
  /** The stream's frame listener (replaceable while streaming). */
  frames: { listener: FrameListener | undefined };
}

/**
 * WASM handles: resamplers stream rate → model rate (`in`) and back (`out`), 0 = none; when the
 * stream rate is above 16 kHz, `ref` (a second model → stream resampler) and `high`
 * (assembly/highband.ts) restore the band above 8 kHz, 0 otherwise.
 */
export interface Resamplers {
  in: number;
  out: number;
  ref: number;
  high: number;
}

export class Channel {
  readonly fifo: SampleFifo;
  private readonly state: EngineState;
  private readonly stft: number;
  private readonly hopIn: number;
  private readonly resamplerIn: number;
  private readonly resamplerOut: number;
  private readonly resamplerRef: number;
  private readonly high: number;
  /** The previous hop's model-rate input: the unmasked STFT path, delayed exactly (one hop). */
  private readonly hopBefore: number;
  private hopFill = 0;
  private frames = 0;
  /** Exit of this channel's previous frame (−1 at stream start), to count exit changes. */
  private lastExit = -1;
  private readonly frameInfo: FrameInfo;
  private readonly frameReport: FrameReport;

  /** `resamplers` are this channel's own (in, out), or 0 each when the stream runs at the model rate. */
  constructor(private readonly setup: ChannelSetup, channel: number, resamplers: Resamplers) {
    const { core, engine } = setup;
    this.state = engine.createState();
    this.stft = core.exports.stftCreate(setup.window, setup.hop);
    this.hopIn = core.allocF32(setup.hop);
    this.resamplerIn = resamplers.in;
    this.resamplerOut = resamplers.out;
    this.resamplerRef = resamplers.ref;
    this.high = resamplers.high;
    this.hopBefore = resamplers.high === 0 ? 0 : core.allocF32(setup.hop);
    this.fifo = new SampleFifo(setup.fifoCapacity);
    this.fifo.reset(setup.priming);
    this.frameInfo = {
      channel, frame: 0, exit: 0, heap: setup.core.heapF32(),
      spectrum: setup.scratch.spectrum >>> 2, mask: setup.scratch.mask >>> 2, bins: engine.bins,
    };
    this.frameReport = { channel, frame: 0, exit: 0, speechProbability: 0, gateShares: new Float32Array(engine.gates.length) };
  }

  /** Sets the gate ratio of this channel's model state from its next frame on (`Engine.setGateRatio`). */
  setGateRatio(ratio: number): void {
    this.setup.engine.setGateRatio(this.state, ratio);
  }

  /** Back to the stream start: zero state, histories and FIFO (primed again). */
  reset(): void {
    const { core, engine, priming } = this.setup;
    const k = core.exports;
    engine.resetState(this.state);
    k.stftReset(this.stft);
    if (this.resamplerIn !== 0) k.resamplerReset(this.resamplerIn);
    if (this.resamplerOut !== 0) k.resamplerReset(this.resamplerOut);
    if (this.high !== 0) {
      k.resamplerReset(this.resamplerRef);
      k.highbandReset(this.high);
      k.vecFill(this.hopBefore, 0, this.setup.hop);
    }
    this.hopFill = 0;
    this.frames = 0;
    this.lastExit = -1;
    this.fifo.reset(priming);
  }

  /** Consumes the `n` sanitized samples in `scratch.input`; every completed hop lands in the FIFO. */
  consume(n: number, policy: Policy): void {
    const { core, scratch, hop } = this.setup;
    const k = core.exports;
    let source = scratch.input;
    let available = n;
    if (this.high !== 0) k.highbandPush(this.high, scratch.input, n);
    if (this.resamplerIn !== 0) {
      available = k.resamplerProcess(this.resamplerIn, scratch.input, n, scratch.resampled);
      source = scratch.resampled;
    }
    let offset = 0;
    while (offset < available) {
      const take = Math.min(hop - this.hopFill, available - offset);
      k.vecCopy(this.hopIn + 4 * this.hopFill, source + 4 * offset, take);
      this.hopFill += take;
      offset += take;
      if (this.hopFill === hop) {
        this.hopFill = 0;
        this.runHop(policy);
      }
    }
  }

  private runHop(policy: Policy): void {
    const { core, engine, scratch, hop, counters } = this.setup;
    const k = core.exports;
    k.analyzeHop(this.stft, this.hopIn, scratch.spectrum, scratch.features, engine.bins);
    const info = this.frameInfo;
    info.frame = this.frames++;
    const decision = policy.decide(info);
    engine.run(this.state, scratch.features, scratch.mask, decision);
    let exit = decision.exit;
    if (policy.refine !== undefined) {
      // Staged frame: the policy looks at the first stage's mask and may continue deeper.
      info.exit = exit;
      info.heap = core.heapF32();
      const deeper = policy.refine(info);
      if (deeper.exit !== exit) {
        engine.extend(this.state, scratch.mask, exit, deeper);
        exit = deeper.exit;
      }
    }
    const speech = engine.hasSpeechHead
      ? engine.speechProbability(this.state)
      : maskSpeechProbability(core.heapF32(), scratch.spectrum >>> 2, scratch.mask >>> 2);
    counters.addSpeech(info.channel, speech);
    const shares = this.frameReport.gateShares;
    for (let g = 0; g < shares.length; g++) {
      const active = engine.activeChannels(this.state, g);
      shares[g] = active < 0 ? Number.NaN : active / engine.gates[g].channels;
    }
    counters.addGates(shares);
    const listener = this.setup.frames.listener;
    if (listener !== undefined) {
      const report = this.frameReport;
      report.frame = info.frame;
      report.exit = exit;
      report.speechProbability = speech;
      listener(report);
    }
    if (this.high !== 0) {
      const { from, to } = this.setup.highBins;
      k.highbandGain(this.high, scratch.spectrum, scratch.mask, from, to);
    }
    counters.frames++;
    counters.exitHistogram[exit]++;
    if (this.lastExit >= 0 && exit !== this.lastExit) counters.exitChanges++;
    this.lastExit = exit;
    if (k.synthesizeHop(this.stft, scratch.spectrum, scratch.mask, engine.bins, scratch.hopOut) !== 0) {
      // A non-finite mask means the recurrent state is poisoned (its bins were muted): start afresh.
      engine.resetState(this.state);
      counters.stateResets++;
    }
    if (this.resamplerOut === 0) {
      this.fifo.push(core.heapF32(), scratch.hopOut >>> 2, hop);
    } else {
      const n = k.resamplerProcess(this.resamplerOut, scratch.hopOut, hop, scratch.resampledOut);
      if (this.high !== 0) {
        // Same resampler design, same phase: `ref` has exactly the n samples `out` has.
        k.resamplerProcess(this.resamplerRef, this.hopBefore, hop, scratch.resampledRef);
        k.vecCopy(this.hopBefore, this.hopIn, hop);
        k.highbandMix(this.high, scratch.resampledOut, scratch.resampledRef, n);
      }
      this.fifo.push(core.heapF32(), scratch.resampledOut >>> 2, n);
    }
  }
}

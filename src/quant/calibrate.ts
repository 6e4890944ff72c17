/**
 * Activation scales of an integer model from calibration audio (docs/integer.md, "Scales
 * (calibration)"): the float model runs through the engine frame by frame, every exit every frame,
 * and the peaks of the features and of every none/relu dense layer's output set their scales.
 * Pre-activation scales are fixed (`R / (2^(P−1) − 1)`, R = 16), so they need no probe.
 */
import { InvalidOptionError } from '../errors.js';
import { createEngine } from '../engine/engine.js';
import type { Model, ModelHeader } from '../model/types.js';
import { createCore, type CoreBuildChoice } from '../wasm/core.js';
import { isTabled, quantizableLayers, type BitConfig, type DenseBits, type GruBits } from './bit-config.js';
import type { QuantScales } from './scales.js';
import { codeMax } from './spec.js';

/**
 * The range every pre-activation scale covers: σ and tanh are saturated to within half an LSB of
 * a 16-bit output well inside ±16 (σ(11.1) and tanh(5.9) already are), so a wider range only
 * coarsens the codes and a narrower one risks clipping large pre-activations of a real model.
 */
export const PRE_ACTIVATION_RANGE = 16;

/** Options of {@link calibrate}. */
export interface CalibrateOptions {
  /**
   * WASM build to run the float model on. Default `'simd'`: the relaxed build's fused multiply-adds
   * change the last bits of the outputs, so the default gives the same scales on every runtime.
   */
  wasmBuild?: CoreBuildChoice;
}

/** Max |value| over the calibration audio of the features and of every none/relu dense layer's output. */
export interface ActivationPeaks {
  features: number;
  /** By layer name: the none/relu dense layers only (the others' scales are fixed by their widths). */
  layers: Record<string, number>;
}

/**
 * Runs float `model` over `audio` (clips at the model's rate, 16 kHz; each starts from a fresh
 * state, a trailing part hop is left out), every layer every frame, and returns the peaks that
 * {@link scalesFromPeaks} turns into scales. They do not depend on bit widths, so a search
 * measures them once.
 * @throws InvalidOptionError when the model has layers other than float dense/gru, or the audio
 *   holds no full hop.
 */
export function activationPeaks(model: Model, audio: readonly Float32Array[], options: CalibrateOptions = {}): ActivationPeaks {
  const header = model.header;
  const { hop, windowLength } = header.stft;
  const probed = quantizableLayers(header).filter((l) => l.op === 'dense' && !isTabled(l)).map((l) => l.name);
  if (!audio.some((clip) => clip.length >= hop)) {
    throw new InvalidOptionError(`calibration audio holds no full hop (${hop} samples at ${header.sampleRate} Hz)`);
  }
  const peaks: ActivationPeaks = { features: 0, layers: Object.fromEntries(probed.map((name) => [name, 0])) };
  const peakOf = (values: ArrayLike<number>): number => {
    let peak = 0;
    for (let i = 0; i < values.length; i++) peak = Math.max(peak, Math.abs(values[i]));
    return peak;
  };

  const core = createCore(options.wasmBuild ?? 'simd');
  const k = core.exports;
  const engine = createEngine(core, model);
  const bins = engine.bins;
  const state = engine.createState();
  const stft = k.stftCreate(windowLength, hop);
  const hopIn = core.allocF32(hop);
  const spectrum = core.allocF32(windowLength + 2);
  const features = core.allocF32(bins);
  const mask = core.allocF32(bins);
  const last = engine.exits.length - 1;
  for (const clip of audio) {
    engine.resetState(state);
    k.stftReset(stft);
    for (let start = 0; start + hop <= clip.length; start += hop) {
      core.writeF32(hopIn, clip.subarray(start, start + hop));
      k.sanitize(hopIn, hop);
      k.analyzeHop(stft, hopIn, spectrum, features, bins);
      peaks.features = Math.max(peaks.features, peakOf(core.heapF32().subarray(features >>> 2, (features >>> 2) + bins)));
      // Every layer runs every frame: the full exit, then the heads it does not list.
      engine.run(state, features, mask, { exit: last });
      for (let e = 0; e < last; e++) engine.extend(state, mask, last, { exit: e });
      for (const name of probed) peaks.layers[name] = Math.max(peaks.layers[name], peakOf(engine.layerOutput(state, name)));
    }
  }
  return peaks;
}

/**
 * The scales of docs/integer.md, "Scales (calibration)", for `bits`: `peak / (2^(B−1) − 1)` for the
 * features (rounded to f32) and every none/relu dense output (`B` its width; an output that never
 * left 0 counts as peak 1), `R / (2^(P−1) − 1)` for every pre-activation.
 */
export function scalesFromPeaks(header: ModelHeader, peaks: ActivationPeaks, bits: BitConfig): QuantScales {
  const fromPeak = (peak: number, width: number): number => (peak || 1) / codeMax(width);
  const pre = (width: number): number => PRE_ACTIVATION_RANGE / codeMax(width);
  const scales: QuantScales = { features: Math.fround(fromPeak(peaks.features, bits.features)), layers: {} };
  for (const layer of quantizableLayers(header)) {
    const b = bits.layers[layer.name];
    if (layer.op === 'gru') {
      const g = (b as GruBits).pre;
      scales.layers[layer.name] = { pre: { r: pre(g.r), z: pre(g.z), n: pre(g.n) } };
    } else {
      const d = b as DenseBits;
      scales.layers[layer.name] = isTabled(layer) ? { pre: pre(d.pre!) } : { out: fromPeak(peaks.layers[layer.name], d.out) };
    }
  }
  return scales;
}

/** Scales for `bits` from `audio`: {@link scalesFromPeaks} of {@link activationPeaks}. */
export function calibrate(model: Model, audio: readonly Float32Array[], bits: BitConfig, options: CalibrateOptions = {}): QuantScales {
  return scalesFromPeaks(model.header, activationPeaks(model, audio, options), bits);
}

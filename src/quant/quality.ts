/**
 * The quality of an integer model on the calibration set: mean SI-SDR over the recordings and over
 * two exits (exit 0 and the full model), against clean speech or, without it, against the float
 * model's output at the same exit (fidelity).
 */
import { createDenoiser, type Denoiser } from '../denoiser.js';
import { sisdr } from '../eval/sisdr.js';
import type { Model } from '../model/types.js';
import { denoiseAudio } from '../node/denoise-audio.js';
import type { BitConfig } from './bit-config.js';
import type { Calibration } from './calibration.js';

/** Exits scored: the cheapest and the full model (one when the model has one exit). */
export function scoredExits(exitCount: number): number[] {
  return exitCount > 1 ? [0, exitCount - 1] : [0];
}

/**
 * Runs every calibration recording through `model` at each scored exit, one fresh denoiser (its
 * own WASM instance, released after) per sample rate; the outputs by exit, then by recording.
 * The SIMD build is pinned so scores are the same on every runtime.
 */
export function modelOutputs(model: Uint8Array | Model, calibration: Calibration, exits: readonly number[]): Float32Array[][] {
  const outputs = exits.map(() => new Array<Float32Array>(calibration.items.length));
  const denoisers = new Map<number, Denoiser>();
  try {
    calibration.items.forEach(({ sampleRate, noisy }, i) => {
      let denoiser = denoisers.get(sampleRate);
      if (!denoiser) denoisers.set(sampleRate, denoiser = createDenoiser({ model, sampleRate, wasmBuild: 'simd' }));
      exits.forEach((exit, e) => {
        denoiser!.setExit(exit);
        [outputs[e][i]] = denoiseAudio(denoiser!, [noisy]);
      });
    });
  } finally {
    for (const denoiser of denoisers.values()) denoiser.dispose();
  }
  return outputs;
}

/**
 * A scorer of bit configurations: `quantize(bits)` makes the integer model's file, which runs on
 * the calibration set; its quality is the mean SI-SDR (dB) over recordings and scored exits.
 * Any other kind of candidate (`C`, e.g. a pruning plan) works the same; in fidelity mode the
 * reference is `floatModel`'s output, whatever model that is (the unpruned integer one for pruning).
 * `exits`: the exits averaged over (default `scoredExits`).
 */
export function qualityEvaluator<C = BitConfig>(floatModel: Model, calibration: Calibration, quantize: (candidate: C) => Uint8Array,
  exits: readonly number[] = scoredExits(floatModel.header.exits.length)): (candidate: C) => Promise<number> {
  const references = calibration.mode === 'clean'
    ? exits.map(() => calibration.items.map((item) => item.clean!))
    : modelOutputs(floatModel, calibration, exits);
  return async (candidate) => {
    const outputs = modelOutputs(quantize(candidate), calibration, exits);
    let sum = 0;
    outputs.forEach((byItem, e) => byItem.forEach((output, i) => { sum += sisdr(references[e][i], output); }));
    return sum / (exits.length * calibration.items.length);
  };
}

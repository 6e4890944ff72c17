/**
 * Short-time band energies and spectrogram pixels for the full-band check (bench/fullband.mjs):
 * Hann-windowed 1024-point frames, hop 512.
 */
import { createRealFft } from './fft.mjs';

export const FRAME = 1024;
export const HOP = 512;
const fft = createRealFft(FRAME);
const window = Float32Array.from({ length: FRAME }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / FRAME));

/**
 * Power spectra of `x`, one Float64Array of FRAME/2 + 1 bins per frame.
 * @param {Float32Array} x
 * @returns {Float64Array[]}
 */
export function powerFrames(x) {
  const frame = new Float32Array(FRAME);
  const re = new Float64Array(FRAME / 2 + 1);
  const im = new Float64Array(FRAME / 2 + 1);
  const frames = [];
  for (let at = 0; at + FRAME <= x.length; at += HOP) {
    for (let n = 0; n < FRAME; n++) frame[n] = x[at + n] * window[n];
    fft.forward(frame, re, im);
    frames.push(Float64Array.from(re, (r, k) => r * r + im[k] * im[k]));
  }
  return frames;
}

/** Energy of each frame between `lowHz` and `highHz` at sample rate `rate`. */
export function bandEnergy(frames, rate, lowHz, highHz) {
  const from = Math.ceil((lowHz * FRAME) / rate);
  const to = Math.min(FRAME / 2, Math.floor((highHz * FRAME) / rate));
  return frames.map((p) => {
    let e = 0;
    for (let k = from; k <= to; k++) e += p[k];
    return e;
  });
}

/** A dark-blue → yellow colour for v in [0, 1]. */
function colour(v) {
  const stops = [[0, 0, 4], [59, 15, 112], [140, 41, 129], [222, 73, 104], [254, 159, 109], [252, 253, 191]];
  const x = Math.min(1, Math.max(0, v)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return stops[i].map((c, j) => Math.round(c + (stops[i + 1][j] - c) * f));
}

/**
 * Draws power frames as a spectrogram into `rgb` (row stride `width`·3) at rows [top, top+height):
 * time left to right, 0 Hz at the bottom, `rangeDb` of dynamics below `peakDb`. A grey line marks
 * `markHz` (8 kHz: where the model's band ends).
 */
export function drawSpectrogram(rgb, width, top, height, frames, rate, peakDb, rangeDb, markHz) {
  const bins = FRAME / 2 + 1;
  const markRow = top + height - 1 - Math.round(((markHz * FRAME) / rate) * (height / bins));
  for (let x = 0; x < width; x++) {
    const f0 = Math.floor((x * frames.length) / width);
    const f1 = Math.max(f0 + 1, Math.floor(((x + 1) * frames.length) / width));
    for (let y = 0; y < height; y++) {
      const k0 = Math.floor(((height - 1 - y) * bins) / height);
      const k1 = Math.max(k0 + 1, Math.floor(((height - y) * bins) / height));
      let p = 0;
      for (let f = f0; f < f1; f++) for (let k = k0; k < k1; k++) p += frames[f][k];
      const db = 10 * Math.log10(p / ((f1 - f0) * (k1 - k0)) + 1e-20);
      const c = top + y === markRow && x % 6 < 3 ? [160, 160, 160] : colour((db - peakDb + rangeDb) / rangeDb);
      rgb.set(c, ((top + y) * width + x) * 3);
    }
  }
}

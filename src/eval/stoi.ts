/**
 * STOI (Taal et al., IEEE TASLP 2011) and ESTOI (Jensen & Taal, IEEE TASLP 2016), computed the way
 * pystoi (and Taal's MATLAB reference) does: resample to 10 kHz, drop frames more than 40 dB below
 * the loudest clean frame, 256-sample Hann frames at 50 % overlap with a 512-point FFT, 15
 * one-third-octave bands from 150 Hz, 30-frame (384 ms) analysis segments.
 */

import { InvalidOptionError } from '../errors.js';
import { fftInPlace } from './fft.js';
import { resample } from './resample.js';

const RATE = 10000;
const FRAME = 256;
const HOP = FRAME / 2;
const FFT_SIZE = 512;
const BANDS = 15;
const LOWEST_CENTRE_HZ = 150;
const SEGMENT = 30;
const BETA_DB = -15;
const DYNAMIC_RANGE_DB = 40;
const EPS = 2.220446049250313e-16; // numpy's float64 eps, used where pystoi guards divisions

/** MATLAB's `hanning(n)`: the Hann window without its zero end points. */
function matlabHann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 1)) / (n + 1));
  return w;
}

const WINDOW = matlabHann(FRAME);

/** Start of every analysis frame, as `range(0, len − FRAME, HOP)` (the reference drops a frame ending exactly at the end). */
function frameStarts(length: number): number[] {
  const starts: number[] = [];
  for (let i = 0; i < length - FRAME; i += HOP) starts.push(i);
  return starts;
}

/** FFT bin ranges [low, high) of the one-third-octave bands, edges snapped to the nearest bin (lower on a tie). */
function thirdOctaveBins(): Array<[number, number]> {
  const nearestBin = (hz: number) => {
    let best = 0;
    for (let k = 1; k <= FFT_SIZE / 2; k++) {
      if (Math.abs((k * RATE) / FFT_SIZE - hz) < Math.abs((best * RATE) / FFT_SIZE - hz)) best = k;
    }
    return best;
  };
  return Array.from({ length: BANDS }, (_, k) => [
    nearestBin(LOWEST_CENTRE_HZ * 2 ** ((2 * k - 1) / 6)),
    nearestBin(LOWEST_CENTRE_HZ * 2 ** ((2 * k + 1) / 6)),
  ]);
}

const BAND_BINS = thirdOctaveBins();

/**
 * Removes the frames whose clean energy is more than 40 dB below the loudest clean frame and
 * overlap-adds the windowed frames that remain, for both signals.
 */
function removeSilentFrames(clean: Float64Array, degraded: Float64Array): [Float64Array, Float64Array] {
  const starts = frameStarts(clean.length);
  const energiesDb = starts.map((start) => {
    let sum = 0;
    for (let i = 0; i < FRAME; i++) sum += (WINDOW[i] * clean[start + i]) ** 2;
    return 20 * Math.log10(Math.sqrt(sum) + EPS);
  });
  const loudest = energiesDb.reduce((a, b) => Math.max(a, b), -Infinity);
  const kept = starts.filter((_, j) => loudest - DYNAMIC_RANGE_DB - energiesDb[j] < 0);
  const length = kept.length === 0 ? 0 : (kept.length - 1) * HOP + FRAME;
  const outClean = new Float64Array(length);
  const outDegraded = new Float64Array(length);
  kept.forEach((start, j) => {
    for (let i = 0; i < FRAME; i++) {
      outClean[j * HOP + i] += WINDOW[i] * clean[start + i];
      outDegraded[j * HOP + i] += WINDOW[i] * degraded[start + i];
    }
  });
  return [outClean, outDegraded];
}

/** One-third-octave band envelopes, `[frame][band]` flattened row-major (frames × BANDS). */
function bandEnvelopes(signal: Float64Array): Float64Array {
  const starts = frameStarts(signal.length);
  const out = new Float64Array(starts.length * BANDS);
  const re = new Float64Array(FFT_SIZE);
  const im = new Float64Array(FFT_SIZE);
  starts.forEach((start, t) => {
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < FRAME; i++) re[i] = WINDOW[i] * signal[start + i];
    fftInPlace(re, im);
    BAND_BINS.forEach(([low, high], b) => {
      let power = 0;
      for (let k = low; k < high; k++) power += re[k] * re[k] + im[k] * im[k];
      out[t * BANDS + b] = Math.sqrt(power);
    });
  });
  return out;
}

/** Sample correlation of `a` and `b` (each mean-removed, divided by its norm + eps, as pystoi). */
function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < n; i++) { meanA += a[i]; meanB += b[i]; }
  meanA /= n;
  meanB /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - meanA;
    const db = b[i] - meanB;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return ab / ((Math.sqrt(aa) + EPS) * (Math.sqrt(bb) + EPS));
}

/** STOI of one segment: per band, scale the degraded envelope to the clean energy, clip at β, correlate. */
function stoiSegment(clean: Float64Array, degraded: Float64Array, first: number): number {
  const clipFactor = 1 + 10 ** (-BETA_DB / 20);
  const x = new Float64Array(SEGMENT);
  const y = new Float64Array(SEGMENT);
  let sum = 0;
  for (let b = 0; b < BANDS; b++) {
    let xx = 0;
    let yy = 0;
    for (let t = 0; t < SEGMENT; t++) {
      x[t] = clean[(first + t) * BANDS + b];
      y[t] = degraded[(first + t) * BANDS + b];
      xx += x[t] * x[t];
      yy += y[t] * y[t];
    }
    const scale = Math.sqrt(xx) / (Math.sqrt(yy) + EPS);
    for (let t = 0; t < SEGMENT; t++) y[t] = Math.min(y[t] * scale, x[t] * clipFactor);
    sum += correlation(x, y);
  }
  return sum / BANDS;
}

/** ESTOI's normalisation of one segment: each band's row to zero mean and unit norm, then each frame's column. */
function normalizeRowsThenColumns(envelopes: Float64Array, first: number): Float64Array {
  const m = new Float64Array(SEGMENT * BANDS); // [t][b]
  m.set(envelopes.subarray(first * BANDS, (first + SEGMENT) * BANDS));
  const normalize = (offset: number, stride: number, count: number) => {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += m[offset + i * stride];
    mean /= count;
    let norm = 0;
    for (let i = 0; i < count; i++) {
      m[offset + i * stride] -= mean;
      norm += m[offset + i * stride] ** 2;
    }
    // pystoi adds eps-scale noise before dividing; a constant row simply stays zero here.
    const inverse = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < count; i++) m[offset + i * stride] *= inverse;
  };
  for (let b = 0; b < BANDS; b++) normalize(b, BANDS, SEGMENT);
  for (let t = 0; t < SEGMENT; t++) normalize(t * BANDS, 1, BANDS);
  return m;
}

function estoiSegment(clean: Float64Array, degraded: Float64Array, first: number): number {
  const x = normalizeRowsThenColumns(clean, first);
  const y = normalizeRowsThenColumns(degraded, first);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * y[i];
  return sum / SEGMENT;
}

/** Both intelligibility scores of one signal pair. */
export interface IntelligibilityScores {
  /** STOI, Taal et al. 2011 (about 0.4 … 1 for speech; 1 for identical signals). */
  stoi: number;
  /** Extended STOI, Jensen & Taal 2016 (about 0 … 1; 1 for identical signals). */
  estoi: number;
}

/**
 * STOI and ESTOI of `degraded` against the `clean` reference, both at `sampleRate` and of equal
 * length. Throws InvalidOptionError when the lengths differ or when fewer than 30 frames
 * (about 0.4 s) of speech remain after silent frames are removed.
 */
export function intelligibility(clean: ArrayLike<number>, degraded: ArrayLike<number>,
  sampleRate: number): IntelligibilityScores {
  if (clean.length !== degraded.length) {
    throw new InvalidOptionError(`STOI needs signals of equal length, got ${clean.length} and ${degraded.length} samples`);
  }
  const [x, y] = removeSilentFrames(resample(clean, sampleRate, RATE), resample(degraded, sampleRate, RATE));
  const xEnv = bandEnvelopes(x);
  const yEnv = bandEnvelopes(y);
  const frames = xEnv.length / BANDS;
  if (frames < SEGMENT) {
    throw new InvalidOptionError(`STOI needs at least ${SEGMENT} frames of speech (about 0.4 s) after removing silence, got ${frames}`);
  }
  let stoiSum = 0;
  let estoiSum = 0;
  const segments = frames - SEGMENT + 1;
  for (let first = 0; first < segments; first++) {
    stoiSum += stoiSegment(xEnv, yEnv, first);
    estoiSum += estoiSegment(xEnv, yEnv, first);
  }
  return { stoi: stoiSum / segments, estoi: estoiSum / segments };
}

/** STOI of `degraded` against `clean` (see {@link intelligibility}). */
export function stoi(clean: ArrayLike<number>, degraded: ArrayLike<number>, sampleRate: number): number {
  return intelligibility(clean, degraded, sampleRate).stoi;
}

/** ESTOI of `degraded` against `clean` (see {@link intelligibility}). */
export function estoi(clean: ArrayLike<number>, degraded: ArrayLike<number>, sampleRate: number): number {
  return intelligibility(clean, degraded, sampleRate).estoi;
}

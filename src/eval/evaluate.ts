/**
 * Scores enhanced speech against clean references: one pair of signals, one pair of WAV files, or
 * two folders of files paired by name (optionally with the noisy inputs, to report improvements).
 */

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { InvalidOptionError } from '../errors.js';
import { readWavFile } from '../node/wav.js';
import { alignSignals } from './align.js';
import { DNSMOS_RATE, loadDnsmos, type DnsmosScorer } from './dnsmos.js';
import { resample } from './resample.js';
import { sisdr } from './sisdr.js';
import { intelligibility } from './stoi.js';

/** DNSMOS P.835 scores on the MOS scale. */
export interface DnsmosTriple {
  sig: number;
  bak: number;
  ovrl: number;
}

/** Quality scores of one signal (or their mean, or their difference). */
export interface Scores {
  /** Scale-invariant SDR in dB. */
  sisdr: number;
  stoi: number;
  estoi: number;
  /** Present when a DNSMOS model was given. */
  dnsmos?: DnsmosTriple;
}

/** Scores of one estimate, with the delay that was compensated before scoring. */
export interface PairScores extends Scores {
  /** Samples the estimate lagged the reference (negative: it led). */
  delaySamples: number;
}

/** Options of {@link evaluatePair}. */
export interface EvaluatePairOptions {
  /** Largest delay searched for, in milliseconds (default 100). 0 turns alignment off. */
  maxDelayMs?: number;
  /** A loaded DNSMOS model ({@link loadDnsmos}); without it DNSMOS is not scored. */
  dnsmos?: DnsmosScorer;
}

const DEFAULT_MAX_DELAY_MS = 100;

function maxDelaySamples(sampleRate: number, maxDelayMs = DEFAULT_MAX_DELAY_MS): number {
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0) {
    throw new InvalidOptionError(`maxDelayMs must be a non-negative number of milliseconds, got ${maxDelayMs}`);
  }
  return Math.round((maxDelayMs * sampleRate) / 1000);
}

/**
 * Scores `enhanced` against `clean` (both mono at `sampleRate`): compensates the delay (within
 * ±maxDelayMs), trims both to the common length, then computes SI-SDR, STOI and ESTOI; DNSMOS is
 * computed on the whole enhanced signal, resampled to 16 kHz when needed. Throws
 * InvalidOptionError for empty signals or lengths that differ by more than the delay searched.
 */
export async function evaluatePair(clean: Float32Array, enhanced: Float32Array, sampleRate: number,
  options: EvaluatePairOptions = {}): Promise<PairScores> {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new InvalidOptionError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  if (clean.length === 0 || enhanced.length === 0) {
    throw new InvalidOptionError(`cannot score empty audio (clean ${clean.length}, enhanced ${enhanced.length} samples)`);
  }
  const maxLag = maxDelaySamples(sampleRate, options.maxDelayMs);
  if (Math.abs(clean.length - enhanced.length) > maxLag) {
    throw new InvalidOptionError(`clean and enhanced lengths differ by ${Math.abs(clean.length - enhanced.length)} samples, `
      + `more than the ${maxLag}-sample delay searched: they do not look like the same recording`);
  }
  const aligned = alignSignals(clean, enhanced, maxLag);
  const { stoi, estoi } = intelligibility(aligned.reference, aligned.estimate, sampleRate);
  const scores: PairScores = {
    sisdr: sisdr(aligned.reference, aligned.estimate), stoi, estoi, delaySamples: aligned.delaySamples,
  };
  if (options.dnsmos) {
    const at16k = sampleRate === DNSMOS_RATE ? enhanced : Float32Array.from(resample(enhanced, sampleRate, DNSMOS_RATE));
    const { sig, bak, ovrl } = await options.dnsmos.score(at16k);
    scores.dnsmos = { sig, bak, ovrl };
  }
  return scores;
}

/** Mean of the channels: the measures are defined on mono speech. */
export function downmix(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const mono = new Float32Array(channels[0]?.length ?? 0);
  for (const channel of channels) for (let i = 0; i < mono.length; i++) mono[i] += channel[i] / channels.length;
  return mono;
}

/**
 * Scores the WAV file `enhancedPath` against `cleanPath` (multichannel files are downmixed).
 * Throws InvalidOptionError when their sample rates differ.
 */
export async function evaluateFiles(cleanPath: string, enhancedPath: string,
  options: EvaluatePairOptions = {}): Promise<PairScores> {
  const [clean, enhanced] = await Promise.all([readWavFile(cleanPath), readWavFile(enhancedPath)]);
  if (clean.sampleRate !== enhanced.sampleRate) {
    throw new InvalidOptionError(`${cleanPath} is at ${clean.sampleRate} Hz but ${enhancedPath} at ${enhanced.sampleRate} Hz; `
      + 'the clean and enhanced files must share a sample rate');
  }
  return evaluatePair(downmix(clean.channels), downmix(enhanced.channels), clean.sampleRate, options);
}

/** Folders to compare, paired by file name. */
export interface EvaluateDirsOptions extends EvaluateFileSetOptions {
  /** Folder of clean reference WAV files. */
  clean: string;
  /** Folder of enhanced WAV files; every `.wav` here needs a clean file of the same name. */
  enhanced: string;
  /** Folder of the noisy inputs: when given, their scores and the improvements are reported too. */
  noisy?: string;
}

/** Scores of one file. */
export interface FileReport {
  name: string;
  enhanced: PairScores;
  noisy?: PairScores;
  /** enhanced − noisy, for every score (present with `noisy`). */
  improvement?: Scores;
}

/** Per-file scores and their means. */
export interface EvalReport {
  files: FileReport[];
  mean: { enhanced: Scores; noisy?: Scores; improvement?: Scores };
}

function combine(parts: Scores[], weights: number[]): Scores {
  const sum = (pick: (s: Scores) => number) => parts.reduce((acc, s, i) => acc + weights[i] * pick(s), 0);
  const result: Scores = { sisdr: sum((s) => s.sisdr), stoi: sum((s) => s.stoi), estoi: sum((s) => s.estoi) };
  if (parts.every((s) => s.dnsmos)) {
    result.dnsmos = {
      sig: sum((s) => s.dnsmos!.sig), bak: sum((s) => s.dnsmos!.bak), ovrl: sum((s) => s.dnsmos!.ovrl),
    };
  }
  return result;
}

const difference = (a: Scores, b: Scores): Scores => combine([a, b], [1, -1]);
const mean = (all: Scores[]): Scores => combine(all, all.map(() => 1 / all.length));

/** The `.wav` files in `dir` (by name, sorted). Throws InvalidOptionError when `dir` cannot be read. */
export async function wavNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.toLowerCase().endsWith('.wav')).sort();
  } catch (cause) {
    throw new InvalidOptionError(`cannot read the folder ${dir}: ${(cause as Error).message}`);
  }
}

/** One recording to score: its clean reference, its enhanced version and optionally its noisy input. */
export interface FileSetEntry {
  name: string;
  clean: string;
  enhanced: string;
  noisy?: string;
}

/** Options shared by {@link evaluateFileSet} and {@link evaluateDirs}. */
export interface EvaluateFileSetOptions {
  /** Folder holding DNSMOS's `sig_bak_ovr.onnx`: when given, DNSMOS P.835 is scored. */
  dnsmosDir?: string;
  /** Largest delay searched for, in milliseconds (default 100). */
  maxDelayMs?: number;
}

/**
 * Scores each entry's enhanced file (and noisy file, when every entry has one, with the
 * improvements) against its clean file, and the means over all entries.
 */
export async function evaluateFileSet(entries: FileSetEntry[], options: EvaluateFileSetOptions = {}): Promise<EvalReport> {
  if (entries.length === 0) throw new InvalidOptionError('nothing to evaluate: no files were given');
  const withNoisy = entries.every((entry) => entry.noisy !== undefined);
  const dnsmos = options.dnsmosDir === undefined ? undefined : await loadDnsmos(options.dnsmosDir);
  try {
    const pairOptions = { maxDelayMs: options.maxDelayMs, dnsmos };
    const files: FileReport[] = [];
    for (const entry of entries) {
      const report: FileReport = { name: entry.name, enhanced: await evaluateFiles(entry.clean, entry.enhanced, pairOptions) };
      if (withNoisy) {
        report.noisy = await evaluateFiles(entry.clean, entry.noisy!, pairOptions);
        report.improvement = difference(report.enhanced, report.noisy);
      }
      files.push(report);
    }
    const report: EvalReport = { files, mean: { enhanced: mean(files.map((f) => f.enhanced)) } };
    if (withNoisy) {
      report.mean.noisy = mean(files.map((f) => f.noisy!));
      report.mean.improvement = mean(files.map((f) => f.improvement!));
    }
    return report;
  } finally {
    await dnsmos?.release();
  }
}

/**
 * Scores every `.wav` in `enhanced` against the file of the same name in `clean` (and `noisy`),
 * and the means over all files. Throws InvalidOptionError when a counterpart is missing or when
 * `enhanced` holds no WAV files.
 */
export async function evaluateDirs(options: EvaluateDirsOptions): Promise<EvalReport> {
  const names = await wavNames(options.enhanced);
  if (names.length === 0) throw new InvalidOptionError(`no .wav files in ${options.enhanced}`);
  for (const dir of [options.clean, options.noisy].filter((d): d is string => d !== undefined)) {
    const present = new Set(await wavNames(dir));
    const missing = names.filter((name) => !present.has(name));
    if (missing.length > 0) throw new InvalidOptionError(`${dir} lacks ${missing.join(', ')}, which ${options.enhanced} has`);
  }
  const { noisy } = options;
  return evaluateFileSet(names.map((name) => ({
    name,
    clean: path.join(options.clean, name),
    enhanced: path.join(options.enhanced, name),
    ...(noisy !== undefined && { noisy: path.join(noisy, name) }),
  })), options);
}

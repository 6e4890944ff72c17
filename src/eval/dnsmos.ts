/**
 * DNSMOS P.835 (Reddy, Gopal, Cutler, ICASSP 2022): a no-reference estimate of SIG (speech), BAK
 * (background) and OVRL (overall) quality, scored exactly as Microsoft's `dnsmos_local.py` does
 * (see `../shared/models/dnsmos/README.md`). Runs `sig_bak_ovr.onnx` through `onnxruntime-node`,
 * which the package does not depend on (it is a devDependency of this repository): loaded only
 * when DNSMOS is asked for.
 */

import { existsSync } from 'node:fs';
import path from 'node:path';
import { InvalidOptionError, TinyhushError } from '../errors.js';

/** DNSMOS scores 16 kHz audio only. */
export const DNSMOS_RATE = 16000;
const SEGMENT_SECONDS = 9.01;
const SEGMENT = Math.round(SEGMENT_SECONDS * DNSMOS_RATE); // 144160 samples
const MODEL_FILE = 'sig_bak_ovr.onnx';

/** Mean per-clip DNSMOS P.835 scores (MOS scale 1 … 5) and the raw model outputs they came from. */
export interface DnsmosScores {
  sig: number;
  bak: number;
  ovrl: number;
  sigRaw: number;
  bakRaw: number;
  ovrlRaw: number;
  /** Number of 9.01 s segments that were scored. */
  hops: number;
}

/** How to score a clip. */
export interface DnsmosScoreOptions {
  /**
   * Score the hops the reference script drops (i = 7…23, 119…122, …, where its floating-point
   * segment end comes out one sample short). Off by default, to match published numbers.
   */
  keepSkippedHops?: boolean;
}

/** A loaded DNSMOS model. */
export interface DnsmosScorer {
  /** Scores one 16 kHz mono clip (float samples, full scale ±1). */
  score(samples: Float32Array, options?: DnsmosScoreOptions): Promise<DnsmosScores>;
  /** Frees the ONNX session. */
  release(): Promise<void>;
}

/** The per-score quadratics that map raw model outputs to the MOS scale, as [x², x, 1] coefficients. */
const CALIBRATION = {
  sig: [-0.08397278, 1.22083953, 0.0052439],
  bak: [-0.13166888, 1.60915514, -0.39604546],
  ovrl: [-0.06766283, 1.11546468, 0.04602535],
} as const;

function calibrate([a, b, c]: readonly number[], x: number): number {
  return a * x * x + b * x + c;
}

/** The clip repeated end to end, doubling its length until it holds at least one segment. */
function tileByDoubling(samples: Float32Array): Float32Array {
  let tiled = samples;
  while (tiled.length < SEGMENT) {
    const doubled = new Float32Array(tiled.length * 2);
    doubled.set(tiled);
    doubled.set(tiled, tiled.length);
    tiled = doubled;
  }
  return tiled;
}

/** Start sample of every hop to score, reproducing the reference script's hop count and skipped hops. */
export function dnsmosHopStarts(length: number, keepSkippedHops = false): number[] {
  const seconds = Math.floor(length / DNSMOS_RATE);
  const hops = Math.trunc(seconds - SEGMENT_SECONDS) + 1;
  const starts: number[] = [];
  for (let i = 0; i < hops; i++) {
    const start = i * DNSMOS_RATE;
    // The script computes the end as int((i + 9.01) * 16000) and skips a segment that comes out short.
    const end = Math.trunc((i + SEGMENT_SECONDS) * DNSMOS_RATE);
    if (keepSkippedHops || end - start >= SEGMENT) starts.push(start);
  }
  return starts;
}

interface OrtModule {
  InferenceSession: { create(path: string): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
}

/** The ONNX runtime DNSMOS runs on; users of the package install it themselves. */
export const DNSMOS_RUNTIME = 'onnxruntime-node';

/**
 * Imports the ONNX runtime package `name` (a parameter, so a test can name a package that is
 * surely absent; a variable also keeps bundlers from inlining it).
 * @throws TinyhushError `DNSMOS_UNAVAILABLE` when it cannot be loaded.
 * @internal
 */
export async function importOnnxRuntime(name = DNSMOS_RUNTIME): Promise<OrtModule> {
  try {
    const loaded = (await import(name)) as OrtModule & { default?: OrtModule };
    return loaded.InferenceSession ? loaded : (loaded.default as OrtModule);
  } catch (cause) {
    throw new TinyhushError('DNSMOS_UNAVAILABLE', `DNSMOS needs the package ${name}, which is not installed with `
      + `tinyhush and could not be loaded (${(cause as Error).message}); install it with "npm install ${name}"`);
  }
}

/**
 * Loads `sig_bak_ovr.onnx` from `modelDir` (for example `../shared/models/dnsmos`). Throws
 * InvalidOptionError when the model is absent or cannot be opened, TinyhushError
 * `DNSMOS_UNAVAILABLE` when onnxruntime-node is not installed.
 */
export async function loadDnsmos(modelDir: string): Promise<DnsmosScorer> {
  const modelPath = path.join(modelDir, MODEL_FILE);
  if (!existsSync(modelPath)) {
    throw new InvalidOptionError(`no DNSMOS model at ${modelPath}; pass the folder that holds ${MODEL_FILE}`);
  }
  const ort = await importOnnxRuntime();
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(modelPath);
  } catch (cause) {
    throw new InvalidOptionError(`cannot open the DNSMOS model ${modelPath}: ${(cause as Error).message}; pass the folder that holds ${MODEL_FILE}`);
  }
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  return {
    async score(samples, options = {}) {
      if (samples.length === 0) throw new InvalidOptionError('DNSMOS cannot score an empty clip');
      const audio = tileByDoubling(samples);
      const starts = dnsmosHopStarts(audio.length, options.keepSkippedHops);
      const sums = { sig: 0, bak: 0, ovrl: 0, sigRaw: 0, bakRaw: 0, ovrlRaw: 0 };
      for (const start of starts) {
        const input = new ort.Tensor('float32', audio.slice(start, start + SEGMENT), [1, SEGMENT]);
        const output = await session.run({ [inputName]: input });
        const [sig, bak, ovrl] = output[outputName].data as Float32Array;
        sums.sigRaw += sig;
        sums.bakRaw += bak;
        sums.ovrlRaw += ovrl;
        sums.sig += calibrate(CALIBRATION.sig, sig);
        sums.bak += calibrate(CALIBRATION.bak, bak);
        sums.ovrl += calibrate(CALIBRATION.ovrl, ovrl);
      }
      const hops = starts.length;
      return {
        sig: sums.sig / hops, bak: sums.bak / hops, ovrl: sums.ovrl / hops,
        sigRaw: sums.sigRaw / hops, bakRaw: sums.bakRaw / hops, ovrlRaw: sums.ovrlRaw / hops, hops,
      };
    },
    release: () => session.release(),
  };
}

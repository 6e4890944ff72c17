/** Denoises a WAV file into another, streaming, with no partial output left behind on failure. */
import { rename, rm } from 'node:fs/promises';
import type { Denoiser } from '../denoiser.js';
import type { PolicySpec, ResolvedPolicySpec } from '../policy/spec.js';
import type { TelemetryReport } from '../telemetry/counters.js';
import type { CoreBuild } from '../wasm/core.js';
import { createDenoiser, type NodeDenoiserOptions } from './create-denoiser.js';
import { WavReader, DEFAULT_BLOCK_FRAMES } from './wav-reader.js';
import { WavWriter } from './wav-writer.js';
import { trimLead } from './trim-lead.js';
import { keepAttributes, outputTarget } from './output-file.js';
import type { SampleFormat } from './pcm.js';

/** Options of {@link denoiseFile}. */
export interface DenoiseFileOptions {
  /** Bundled model name, `.thm` file path, model bytes or parsed Model; default: the default bundled model. */
  model?: NodeDenoiserOptions['model'];
  /** Run every frame through this exit (0 = cheapest); default: the full model. Not with `policy`. */
  exit?: number;
  /** Exit policy (fixed, budget or adaptive; see the core `DenoiserOptions.policy`). Not with `exit`. */
  policy?: PolicySpec;
  /** Gate ratio in [0, 1] for a model whose gates decide (see the core `DenoiserOptions.gateRatio`); default 1. */
  gateRatio?: number;
  /** Sample frames read and processed per block (memory use is proportional); default 8192. */
  blockFrames?: number;
  /** Called after each block. */
  onProgress?: (progress: DenoiseProgress) => void;
  /** Stops the work between two blocks: the call rejects with the signal's reason and writes nothing. */
  signal?: AbortSignal;
}

/** Progress of a running {@link denoiseFile}. */
export interface DenoiseProgress {
  /** Input sample frames processed so far. */
  framesDone: number;
  /** Input sample frames in the file. */
  framesTotal: number;
}

/** One side (input or output) of a denoised file. */
export interface AudioFileInfo {
  path: string;
  sampleRate: number;
  channels: number;
  format: SampleFormat;
  /** Sample frames (samples per channel). */
  samples: number;
}

/**
 * What {@link denoiseFile} did: the denoiser's telemetry summed over all channels (`frames`, `macs`,
 * `macsDense`, `exitHistogram`, `realTimeFactor`, `latencySamples`, …) plus the files and times.
 */
export type DenoiseFileReport = TelemetryReport & {
  input: AudioFileInfo;
  output: AudioFileInfo;
  /** Duration of the audio in seconds. */
  seconds: number;
  /** The policy that ran, defaults filled in (a budget outside the model's range shows its clamped value). */
  policySettings: ResolvedPolicySpec;
  /** Wall-clock seconds the whole call took (reading, denoising, writing). */
  wallSeconds: number;
  /** The WASM build that ran (`'relaxed-simd'` where the runtime supports it). */
  wasmBuild: CoreBuild;
};

/**
 * Denoises the WAV file `inPath` into `outPath`, block by block (memory does not grow with file
 * length). The output has the input's rate, channel count, sample format and exact length: the
 * denoiser's latency is removed by dropping its first `latencySamples` and appending its flushed
 * tail. The output is written to a temporary file next to `outPath` and renamed at the end; on any
 * error or abort the temporary file is deleted and `outPath` is left untouched. An existing
 * `outPath` keeps its permissions (and owner, where the process may set it); a symbolic link stays
 * a link and its target is replaced. `outPath` may be `inPath`.
 * @throws WavFormatError / UnsupportedRateError for an unsupported input, UnknownModelError,
 *   ModelFormatError or InvalidOptionError for a bad model or option (InvalidOptionError also for an
 *   `outPath` that is not a regular file: a FIFO, a device, a folder), `options.signal`'s reason
 *   when aborted, Node's errors for I/O (those about the temporary file name `outPath` instead).
 */
export async function denoiseFile(inPath: string, outPath: string, options: DenoiseFileOptions = {}):
  Promise<DenoiseFileReport> {
  const started = performance.now();
  const blockFrames = options.blockFrames ?? DEFAULT_BLOCK_FRAMES;
  options.signal?.throwIfAborted();
  const target = await outputTarget(outPath);
  const { tempPath } = target;
  const reader = await WavReader.open(inPath);
  const { sampleRate, channelCount, format, frames } = reader.layout;
  let denoiser: Denoiser | undefined;
  let writer: WavWriter | undefined;
  try {
    denoiser = createDenoiser({
      sampleRate, channels: channelCount,
      ...(options.model !== undefined && { model: options.model }),
      ...(options.exit !== undefined && { exit: options.exit }),
      ...(options.policy !== undefined && { policy: options.policy }),
      ...(options.gateRatio !== undefined && { gateRatio: options.gateRatio }),
    });
    writer = await WavWriter.create(tempPath, { sampleRate, channelCount, format });
    const out = writer;
    const trim = trimLead(denoiser.latencySamples);
    const writeAligned = async (block: Float32Array[]) => {
      const aligned = trim(block);
      if (aligned) await out.write(aligned);
    };
    for (let block = await reader.read(blockFrames); block; block = await reader.read(blockFrames)) {
      options.signal?.throwIfAborted();
      await writeAligned(denoiser.process(block));
      options.onProgress?.({ framesDone: frames - reader.framesLeft, framesTotal: frames });
    }
    await writeAligned(denoiser.flush());
    const telemetry = denoiser.telemetry();
    const policySettings = denoiser.policy;
    writer = undefined;
    await out.close();
    options.signal?.throwIfAborted();
    await keepAttributes(target);
    await rename(tempPath, target.path);
    const info = { sampleRate, channels: channelCount, format, samples: frames };
    return {
      ...telemetry,
      input: { path: inPath, ...info },
      output: { path: outPath, ...info },
      seconds: frames / sampleRate,
      policySettings,
      wasmBuild: denoiser.wasmBuild,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    await writer?.abandon();
    await rm(tempPath, { force: true });
    throw aboutOutput(error, tempPath, outPath);
  } finally {
    denoiser?.dispose();
    await reader.close();
  }
}

/** Node's I/O error on the temporary file, told as one about the user's output path. */
function aboutOutput(error: unknown, tempPath: string, outPath: string): unknown {
  const failure = error as NodeJS.ErrnoException | null;
  if (failure?.path !== tempPath) return error;
  const what = failure.message.replace(/^E[A-Z]+: /, '').replace(/, \w+ '.*$/, '');
  return Object.assign(new Error(`cannot write ${outPath}: ${what} (in a temporary file next to it)`, { cause: error }),
    { code: failure.code, errno: failure.errno, syscall: failure.syscall, path: outPath });
}

/** Validation of `createDenoiser` options: every problem is an `InvalidOptionError` saying what is allowed. */
import type { SkippedState } from './engine/types.js';
import { InvalidOptionError } from './errors.js';
import type { Model } from './model/types.js';
import type { PolicySpec } from './policy/spec.js';
import { assertSupportedRate } from './stream/rates.js';
import { isUint8Array } from './typed-arrays.js';
import type { CoreBuildChoice } from './wasm/core.js';

/** Options of `createDenoiserHost`: what every stream of one host shares (the model, loaded once). */
export interface DenoiserHostOptions {
  /**
   * The model: the bytes of a `.thm` file, or a model parsed by `readModel` (to share one parse
   * between denoisers). Bundled model names and file paths are resolved by `createDenoiser`
   * and `createDenoiserHost` from `tinyhush/node`.
   */
  model: Uint8Array | Model;
  /**
   * State of layers a frame skips when a later frame runs them again: `'hold'` (default, the model
   * file's rule: as they were) or `'reset'` (zeroed; offered to measure what holding is worth).
   */
  skippedState?: SkippedState;
  /**
   * WASM build: `'auto'` (default) runs the relaxed-SIMD build (fused multiply-add, about 15 % faster
   * dense layers) where the runtime supports it and the SIMD build elsewhere; `'simd'` or
   * `'relaxed-simd'` force one (the latter throws `UNSUPPORTED_RUNTIME` where it cannot run).
   */
  wasmBuild?: CoreBuildChoice;
}

/** Options of `host.createStream`: one stream's shape and exit policy. */
export interface DenoiserStreamOptions {
  /** Sample rate of the audio in Hz: 8000, 16000, 22050, 24000, 32000, 44100 or 48000. */
  sampleRate: number;
  /** Audio channels, 1–8 (default 1); each gets its own model state, all share the weights. */
  channels?: number;
  /** Exit every frame runs through, 0 = cheapest: shorthand for `policy: { kind: 'fixed', exit }`. */
  exit?: number;
  /**
   * How each frame's exit is chosen (default: every frame through the full model):
   * `{ kind: 'fixed', exit }`, `{ kind: 'budget', macsPerSecond }` or `{ kind: 'adaptive' }` (see
   * docs/internals.md, "Policies"). Changeable while streaming with `setPolicy`. Not with `exit`.
   */
  policy?: PolicySpec;
  /**
   * Gate ratio r in [0, 1] (default 1) for a model whose gates decide per frame which channels run
   * (dynamic channel pruning, `denoiser.gates`): lower r runs fewer channels. Values below the
   * model's trained range (0.25–1) act as its lowest. A model without such gates ignores it. A
   * budget policy sets the ratio itself. Changeable while streaming with `setGateRatio`.
   */
  gateRatio?: number;
}

/** Options of `createDenoiser`: a host's and a stream's together. */
export interface DenoiserOptions extends DenoiserHostOptions, DenoiserStreamOptions {}

const HOST_KEYS = ['model', 'skippedState', 'wasmBuild'];
const STREAM_KEYS = ['sampleRate', 'channels', 'exit', 'policy', 'gateRatio'];
const KNOWN_KEYS = ['model', ...STREAM_KEYS, 'skippedState', 'wasmBuild'];
const SKIPPED_STATES: readonly string[] = ['hold', 'reset'] satisfies SkippedState[];
const WASM_BUILDS: readonly string[] = ['auto', 'simd', 'relaxed-simd'] satisfies CoreBuildChoice[];
export const MAX_CHANNELS = 8;

/** A value as a message shows it: strings quoted, so "1" and 1 differ. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function isModel(value: unknown): value is Model {
  const m = value as Model;
  return typeof m === 'object' && m !== null && typeof m.tensor === 'function' && typeof m.header === 'object';
}

/** Checks that `exit` is an integer exit index of a model with `exits` exits. */
export function assertExit(exit: unknown, exits: number): asserts exit is number {
  if (typeof exit !== 'number' || !Number.isInteger(exit) || exit < 0 || exit >= exits) {
    throw new InvalidOptionError(`exit must be an integer from 0 to ${exits - 1} (this model has ${exits} exits), got ${shown(exit)}`);
  }
}

/** Checks that `ratio` is a gate ratio, a number in [0, 1]. */
export function assertGateRatio(ratio: unknown): asserts ratio is number {
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
    throw new InvalidOptionError(`gateRatio must be a number from 0 to 1, got ${shown(ratio)}`);
  }
}

/** The host options `checkHostOptions` has checked, `wasmBuild` defaulted. */
export interface CheckedHostOptions {
  model: Uint8Array | Model;
  skippedState?: SkippedState;
  wasmBuild: CoreBuildChoice;
}

/** The stream options `checkStreamOptions` has checked, `channels` and `gateRatio` defaulted (`exit` and `policy` need the model). */
export interface CheckedStreamOptions {
  sampleRate: number;
  channels: number;
  gateRatio: number;
  exit?: number;
  policy?: PolicySpec;
}

/** The options `checkOptions` has checked. */
export type CheckedOptions = CheckedHostOptions & CheckedStreamOptions;

/** Checks that `options` is an object of `known` keys only; `call` names the function in messages. */
function checkKeys(options: unknown, known: readonly string[], call: string): asserts options is object {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError(`${call} takes an options object { ${known.join(', ')} }, got ${String(options)}`);
  }
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new InvalidOptionError(`unknown option(s) ${unknown.join(', ')}; supported: ${known.join(', ')}`);
  }
}

function hostOptions(options: Partial<DenoiserHostOptions>): CheckedHostOptions {
  const { model, skippedState, wasmBuild = 'auto' } = options;
  if (typeof model === 'string') {
    throw new InvalidOptionError(`model "${model}" is a name or path: pass the model bytes or a parsed Model here, `
      + `or use createDenoiser from 'tinyhush/node', which resolves bundled names and file paths`);
  }
  if (!isUint8Array(model) && !isModel(model)) {
    throw new InvalidOptionError(`model must be a Uint8Array of a .thm file or a Model from readModel, got ${typeof model}`);
  }
  if (skippedState !== undefined && !SKIPPED_STATES.includes(skippedState)) {
    throw new InvalidOptionError(`skippedState must be 'hold' or 'reset', got ${shown(skippedState)}`);
  }
  if (!WASM_BUILDS.includes(wasmBuild)) {
    throw new InvalidOptionError(`wasmBuild must be 'auto', 'simd' or 'relaxed-simd', got ${shown(wasmBuild)}`);
  }
  return { model, wasmBuild, ...(skippedState !== undefined && { skippedState }) };
}

function streamOptions(options: Partial<DenoiserStreamOptions>): CheckedStreamOptions {
  const { sampleRate, channels = 1, exit, policy, gateRatio = 1 } = options;
  if (typeof sampleRate !== 'number') {
    throw new InvalidOptionError(`sampleRate must be a number in Hz, got ${typeof sampleRate}`);
  }
  assertSupportedRate(sampleRate);
  if (typeof channels !== 'number' || !Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new InvalidOptionError(`channels must be an integer from 1 to ${MAX_CHANNELS}, got ${shown(channels)}`);
  }
  if (exit !== undefined && policy !== undefined) {
    throw new InvalidOptionError('give either exit or policy, not both (exit N is shorthand for policy { kind: \'fixed\', exit: N })');
  }
  assertGateRatio(gateRatio);
  return { sampleRate, channels, gateRatio, ...(exit !== undefined && { exit }), ...(policy !== undefined && { policy }) };
}

/** Checks the options of `createDenoiserHost`. */
export function checkHostOptions(options: unknown): CheckedHostOptions {
  checkKeys(options, HOST_KEYS, 'createDenoiserHost');
  return hostOptions(options);
}

/** Checks the options of `host.createStream` (all but `exit` and `policy`, which need the model, beyond their exclusion). */
export function checkStreamOptions(options: unknown): CheckedStreamOptions {
  checkKeys(options, STREAM_KEYS, 'createStream');
  return streamOptions(options);
}

/** Checks the options of `createDenoiser` (as `checkHostOptions` and `checkStreamOptions` together). */
export function checkOptions(options: unknown): CheckedOptions {
  checkKeys(options, KNOWN_KEYS, 'createDenoiser');
  return { ...hostOptions(options), ...streamOptions(options) };
}

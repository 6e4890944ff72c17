/** A model loaded once into a WASM core: what every stream of a host shares. */
import type { CheckedHostOptions } from '../denoiser-options.js';
import { createEngine } from '../engine/engine.js';
import type { Engine } from '../engine/types.js';
import { readModel } from '../model/read.js';
import type { Model } from '../model/types.js';
import { isUint8Array } from '../typed-arrays.js';
import { createCore, type Core } from '../wasm/core.js';

export interface LoadedModel {
  readonly model: Model;
  readonly core: Core;
  /** The weights, placed once in `core`'s memory; each stream adds only its state. */
  readonly engine: Engine;
}

/** Parses (if given bytes) and loads the model into a fresh WASM core. */
export function loadModel({ model: source, skippedState, wasmBuild }: CheckedHostOptions): LoadedModel {
  const model = isUint8Array(source) ? readModel(source) : source;
  const core = createCore(wasmBuild);
  const engine = createEngine(core, model, { ...(skippedState !== undefined && { skippedState }) });
  return { model, core, engine };
}

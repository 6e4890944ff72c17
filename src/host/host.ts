/**
 * `createDenoiserHost`: one model loaded once, serving many independent streams. Streams of a host
 * share its WASM instance and weights; each holds only its state (GRU hidden states, depthwise
 * histories, STFT and resampler buffers, output FIFO, policy state). Browser-safe.
 */
import { checkHostOptions, checkStreamOptions, type DenoiserHostOptions, type DenoiserStreamOptions } from '../denoiser-options.js';
import { openDenoiser, type Denoiser } from '../denoiser.js';
import type { ExitInfo } from '../engine/types.js';
import { TinyhushError } from '../errors.js';
import type { CoreBuild } from '../wasm/core.js';
import { loadModel } from './load.js';
import { pooledSlots } from './slots.js';

/** One loaded model serving any number of streams. */
export interface DenoiserHost {
  /** The WASM build every stream of this host runs. */
  readonly wasmBuild: CoreBuild;
  /** The model's exits, cheapest first, with their dense MACs per frame. */
  readonly exits: readonly ExitInfo[];
  /** Bytes of weights held once for all streams. */
  readonly weightBytes: number;
  /** Streams open now (created and not yet disposed). */
  readonly streams: number;
  /** Bytes of the host's WASM memory: weights, every state slot ever allocated, scratch. */
  readonly memoryBytes: number;
  /**
   * Opens a stream: a {@link Denoiser} with its own state, running on this host's weights. Its
   * output is what a stand-alone `createDenoiser` with the same options would produce. `dispose()`
   * returns its state slot, which the next stream of the same rate and channel count reuses.
   * Streams are used from one thread (this host's); for several cores, see `createDenoiserPool`
   * in `tinyhush/node`.
   * @throws InvalidOptionError for unknown or malformed options (`model`, `skippedState` and
   *   `wasmBuild` are the host's), UnsupportedRateError for an unsupported rate, TinyhushError
   *   `DISPOSED` after `dispose()`.
   */
  createStream(options: DenoiserStreamOptions): Denoiser;
  /** Disposes every open stream and lets the WASM instance go; any later call throws. */
  dispose(): void;
}

/**
 * Loads `model` once for many streams (a server's callers, a conference's participants).
 * @throws InvalidOptionError for unknown or malformed options, ModelFormatError for a bad model
 *   file, TinyhushError `UNSUPPORTED_RUNTIME` for `wasmBuild: 'relaxed-simd'` where it cannot run.
 */
export function createDenoiserHost(options: DenoiserHostOptions): DenoiserHost {
  const loaded = loadModel(checkHostOptions(options));
  const slots = pooledSlots(loaded);
  const open = new Set<Denoiser>();
  let disposed = false;
  const live = (): void => {
    if (disposed) throw new TinyhushError('DISPOSED', 'this denoiser host was disposed; create a new one with createDenoiserHost()');
  };
  return {
    wasmBuild: loaded.core.build,
    exits: loaded.engine.exits,
    weightBytes: loaded.engine.weightBytes,
    get streams() { return open.size; },
    get memoryBytes() { return loaded.core.memory.buffer.byteLength; },
    createStream(streamOptions) {
      live();
      const denoiser = openDenoiser(loaded, checkStreamOptions(streamOptions), slots, () => open.delete(denoiser));
      open.add(denoiser);
      return denoiser;
    },
    dispose() {
      for (const denoiser of open) denoiser.dispose();
      disposed = true;
    },
  };
}

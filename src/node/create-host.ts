/** `createDenoiserHost` for Node: the core one, plus bundled model names and `.thm` file paths. */
import type { DenoiserHostOptions } from '../denoiser-options.js';
import { createDenoiserHost as createCoreHost, type DenoiserHost } from '../host/host.js';
import { DEFAULT_MODEL, resolveModelBytes } from '../model/registry.js';

/** Options of the Node `createDenoiserHost`: as the core's, with `model` optional and also a name or path. */
export interface NodeDenoiserHostOptions extends Omit<DenoiserHostOptions, 'model'> {
  /** A bundled model's name, the path of a `.thm` file, its bytes, or a parsed `Model`; default {@link DEFAULT_MODEL}. */
  model?: string | DenoiserHostOptions['model'];
}

/**
 * Loads a model once for many streams (see the core `createDenoiserHost`), resolving `model`
 * names and paths first.
 * @throws UnknownModelError when a string `model` is neither a bundled name nor a file; otherwise
 *   as the core `createDenoiserHost`.
 */
export function createDenoiserHost(options: NodeDenoiserHostOptions = {}): DenoiserHost {
  const model = options?.model ?? DEFAULT_MODEL;
  return createCoreHost({ ...options, model: typeof model === 'string' ? resolveModelBytes(model) : model });
}

/** `createDenoiser` for Node: the core one, plus bundled model names and `.thm` file paths. */
import { createDenoiser as createCoreDenoiser, type Denoiser } from '../denoiser.js';
import type { DenoiserOptions } from '../denoiser-options.js';
import { DEFAULT_MODEL } from '../model/registry.js';
import { loadModel } from './load-model.js';

/** Options of the Node `createDenoiser`: as the core's, with `model` optional and also a name or path. */
export interface NodeDenoiserOptions extends Omit<DenoiserOptions, 'model'> {
  /**
   * A bundled model's name (see `listModels()`), the path of a `.thm` file, the bytes of one, or a
   * parsed `Model`; default: the bundled {@link DEFAULT_MODEL}.
   */
  model?: string | DenoiserOptions['model'];
}

/**
 * Creates a denoiser (see the core `createDenoiser`), resolving `model` names and paths first.
 * @throws UnknownModelError when a string `model` is neither a bundled name nor a file,
 *   ModelFormatError naming it when its file is not a valid model; otherwise as the core `createDenoiser`.
 */
export function createDenoiser(options: NodeDenoiserOptions): Denoiser {
  const model = options?.model ?? DEFAULT_MODEL;
  return createCoreDenoiser({ ...options, model: typeof model === 'string' ? loadModel(model) : model });
}

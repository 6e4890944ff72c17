/** A model by bundled name or file path, parsed, with errors that say which model they are about. */
import { ModelFormatError } from '../errors.js';
import { readModel } from '../model/read.js';
import { resolveModelBytes } from '../model/registry.js';
import type { Model } from '../model/types.js';

/**
 * Reads and validates the bundled model `nameOrPath` or the model file at that path.
 * @throws UnknownModelError when it is neither; ModelFormatError, its message starting with
 *   `nameOrPath`, when the file is not a valid model.
 */
export function loadModel(nameOrPath: string): Model {
  const bytes = resolveModelBytes(nameOrPath);
  try {
    return readModel(bytes);
  } catch (error) {
    if (error instanceof ModelFormatError) throw new ModelFormatError(`${nameOrPath}: ${error.message}`);
    throw error;
  }
}

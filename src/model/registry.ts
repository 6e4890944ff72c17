/**
 * Bundled models (Node only): every `models/<name>.thm` file of the package is a model called
 * `<name>`. The only file of src/model that touches the file system.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelFormatError, UnknownModelError } from '../errors.js';
import { LIMITS } from './limits.js';
import { readModel } from './read.js';

/** The model used when none is named: an alias (below) for the one a user should use. */
export const DEFAULT_MODEL = 'nsnet-ee';

/**
 * Names that stand for a bundled model. `nsnet-ee` is the 8-bit integer model: the float model's
 * quality (within 0.01 dB SI-SDR on the test split) at 30 % of its size and less CPU (README, "Models").
 */
export const MODEL_ALIASES: Readonly<Record<string, string>> = { 'nsnet-ee': 'nsnet-ee-int8' };

const EXTENSION = '.thm';

/** One bundled model. */
export interface ModelEntry {
  name: string;
  path: string;
  description: string;
}

function isTinyhushRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'tinyhush';
  } catch {
    return false;
  }
}

/**
 * The package's `models/` directory, found from this module's own location (src/model/ in the
 * sources, dist/ once bundled) by walking up to the tinyhush package root.
 */
export function bundledModelsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!isTinyhushRoot(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'models');
}

function modelFiles(dir: string): Map<string, string> {
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(EXTENSION)).sort() : [];
  return new Map(names.map((file) => [file.slice(0, -EXTENSION.length), join(dir, file)]));
}

/** The file's bytes; one larger than any model may be is refused by its size, before reading. */
function readBytes(path: string): Uint8Array {
  const { size } = statSync(path);
  if (size > LIMITS.fileBytes) {
    throw new ModelFormatError(`model file ${path} is ${size} bytes; a model file is at most ${LIMITS.fileBytes} bytes`);
  }
  const buffer = readFileSync(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** The bundled models (or those in `dir`), by name, with the description from each file's header. */
export function listModels(dir = bundledModelsDir()): ModelEntry[] {
  return [...modelFiles(dir)].map(([name, path]) => ({ name, path, description: readModel(readBytes(path)).header.description }));
}

/**
 * The bytes of a model: `nameOrPath` is a bundled model's name (or alias) or else a path to a `.thm` file.
 * Throws `UnknownModelError`, listing the bundled names, when it is neither. The bytes are not
 * validated here: pass them to `readModel`. `dir` replaces the package's `models/` directory.
 */
export function resolveModelBytes(nameOrPath: string, dir = bundledModelsDir()): Uint8Array {
  const bundled = modelFiles(dir);
  const path = bundled.get(MODEL_ALIASES[nameOrPath] ?? nameOrPath);
  if (path !== undefined) return readBytes(path);
  if (existsSync(nameOrPath) && statSync(nameOrPath).isFile()) return readBytes(nameOrPath);
  const available = bundled.size > 0 ? `bundled models: ${[...bundled.keys()].join(', ')}` : `no models are bundled in ${dir}`;
  throw new UnknownModelError(`unknown model "${nameOrPath}": neither a bundled model name nor a model file path (${available})`);
}

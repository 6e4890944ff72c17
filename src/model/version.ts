/**
 * Format versions (docs/model-format.md, "Versions"): a file is written with the lowest version whose
 * encodings it uses, so a file without the version 2 encodings stays a version 1 file, byte for byte.
 */
import { isPlainInt } from './encodings.js';
import type { FormatVersion, TensorSpec } from './types.js';

/** The versions this code reads. */
export const FORMAT_VERSIONS: readonly FormatVersion[] = [1, 2];

/** What in `spec` needs version 2 (an i16 / i8 / u8 array), or null. */
export function version2Feature(spec: Pick<TensorSpec, 'dtype'>): string | null {
  return isPlainInt(spec.dtype) && spec.dtype !== 'i32' ? `dtype ${spec.dtype}` : null;
}

/** The lowest version that holds `tensors`. */
export function requiredVersion(tensors: readonly Pick<TensorSpec, 'dtype'>[]): FormatVersion {
  return tensors.some((t) => version2Feature(t) !== null) ? 2 : 1;
}

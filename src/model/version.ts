/**
 * Format versions (docs/model-format.md, "Versions"): a file is written with the lowest version whose
 * encodings it uses, so a file without the version 2 encodings stays a version 1 file, byte for byte.
 */
import { isPlainInt } from './encodings.js';
import type { FormatVersion, TensorSpec } from './types.js';

/** The versions this code reads. */
export const FORMAT_VERSIONS: readonly FormatVersion[] = [1, 2];

/** What in `spec` needs version 2 (an i16 / i8 / u8 array, 8-bit delta indices, 16-bit row pointers), or null. */
export function version2Feature(spec: Pick<TensorSpec, 'dtype' | 'indexBits' | 'rowPtrBits'>): string | null {
  if (isPlainInt(spec.dtype) && spec.dtype !== 'i32') return `dtype ${spec.dtype}`;
  if (spec.indexBits === 8) return 'indexBits 8';
  if (spec.rowPtrBits === 16) return 'rowPtrBits 16';
  return null;
}

/** The lowest version that holds `tensors`. */
export function requiredVersion(tensors: readonly Pick<TensorSpec, 'dtype' | 'indexBits' | 'rowPtrBits'>[]): FormatVersion {
  return tensors.some((t) => version2Feature(t) !== null) ? 2 : 1;
}

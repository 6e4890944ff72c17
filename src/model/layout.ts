/** Byte-layout constants of the `.thm` file (docs/model-format.md, "Byte layout"). */

/** ASCII `TINYHUSH`. */
export const MAGIC = Uint8Array.of(0x54, 0x49, 0x4e, 0x59, 0x48, 0x55, 0x53, 0x48);
/** Magic (8) + version (4) + header length (4). */
export const PREFIX_BYTES = 16;
/** The trailing CRC-32. */
export const CRC_BYTES = 4;
/** Header end and every tensor offset are multiples of this (one cache line, any SIMD width). */
export const ALIGNMENT = 64;

/** The smallest multiple of `ALIGNMENT` that is ≥ `n`. */
export function alignUp(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

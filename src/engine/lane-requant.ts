/**
 * The lane form of a tensor's requantization multipliers and shifts (assembly/requant-lanes.ts),
 * built once at load: with it `requantize` and `intGruGates` requantize four rows per SIMD step,
 * bit for bit as docs/integer.md's per-row `rq(acc, m, s)`, since per-row shifts become one shift
 * per tensor and per-row powers of two.
 */

/** The lane fields of an IntDenseParams / IntGruParams record (assembly/int-params.ts). */
export interface LaneRequant {
  /** i32 per row: 2^(S_max − s) (1 for a row with m = 0, whose term is 0 whatever its shift). */
  pow: Int32Array;
  /** S_min − 33. */
  shift: number;
  /** S_max − S_min. */
  spread: number;
}

/**
 * The lane form of `multiplier` and `shift` (equal lengths, one row each: a dense layer's tensors or
 * a GRU's six gates together), or null where it would not be exact: a row with m ≠ 0 and s < 33, or
 * shifts spread over more than S_min − 33 (requant-lanes.ts's bounds). Row by row then.
 */
export function laneRequant(multiplier: Int32Array, shift: Int32Array): LaneRequant | null {
  const used = shift.filter((_, r) => multiplier[r] !== 0);
  const low = used.reduce((a, s) => Math.min(a, s), used.length > 0 ? used[0] : 33);
  const high = used.reduce((a, s) => Math.max(a, s), low);
  if (low < 33 || high - low > low - 33) return null;
  const pow = Int32Array.from(shift, (s, r) => (multiplier[r] !== 0 ? 2 ** (high - s) : 1));
  return { pow, shift: low - 33, spread: high - low };
}

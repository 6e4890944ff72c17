/**
 * The lane form of a tensor's requantization multipliers and shifts (assembly/requant-lanes.ts),
 * built once at load per group of four rows: with it `requantize` and `intGruGates` requantize a
 * group per SIMD step, bit for bit as docs/integer.md's per-row `rq(acc, m, s)`, since the group's
 * per-row shifts become one shift per group and per-row powers of two. A group whose shifts do not
 * allow it runs row by row, as do the last rows % 4: an outlier row no longer costs the whole tensor.
 */

/** The lane fields of an IntDenseParams / IntGruParams record (assembly/int-params.ts). */
export interface LaneRequant {
  /**
   * i32 per row: 2^(S_max − s) over its group (1 for a row with m = 0, whose term is 0 whatever its
   * shift, and for a row that runs row by row).
   */
  pow: Int32Array;
  /** i32 per group (laneRequant's order): S_min − 33, or −1 (ROW_BY_ROW) where the group runs row by row. */
  shift: Int32Array;
  /** i32 per group: S_max − S_min (0 for a group that runs row by row). */
  spread: Int32Array;
}

/** A group's `shift` where its shifts have no exact lane form: its rows run row by row. */
const ROW_BY_ROW = -1;

/**
 * The lane form of `multiplier` and `shift` (equal lengths, one row each; gates of `units` rows: a
 * dense layer's tensors with units = rows, or a GRU's six gates together with units = hidden). Each
 * gate's rows form groups of four, group g of gate k at index k·⌊units/4⌋ + g; a gate's last
 * units % 4 rows belong to none. Group g of every gate holds units 4g … 4g + 3, which the GRU steps
 * through all gates at once, so those groups take the form together, where every one of them is
 * exact (requant-lanes.ts's bounds: no row with m ≠ 0 and s < 33, shifts spread over at most
 * S_min − 33); null where no group does.
 */
export function laneRequant(multiplier: Int32Array, shift: Int32Array, units = multiplier.length): LaneRequant | null {
  const gates = multiplier.length / units;
  const groups = Math.floor(units / 4);
  const groupOf = (r: number): number => (r % units < 4 * groups ? Math.floor(r / units) * groups + ((r % units) >> 2) : -1);
  const used = Array.from({ length: gates * groups }, () => [] as number[]);
  shift.forEach((s, r) => {
    if (multiplier[r] !== 0 && groupOf(r) >= 0) used[groupOf(r)].push(s);
  });
  const low = used.map((s) => (s.length > 0 ? Math.min(...s) : 33));
  const high = used.map((s, k) => (s.length > 0 ? Math.max(...s) : low[k]));
  const fits = low.map((s, k) => s >= 33 && high[k] - s <= s - 33);
  const unitsFit = Array.from({ length: groups }, (_, g) => fits.every((f, k) => f || k % groups !== g));
  const exact = fits.map((_, k) => unitsFit[k % groups]);
  if (!exact.includes(true)) return null;
  const inLanes = (r: number): boolean => groupOf(r) >= 0 && exact[groupOf(r)];
  return {
    pow: Int32Array.from(shift, (s, r) => (multiplier[r] !== 0 && inLanes(r) ? 2 ** (high[groupOf(r)] - s) : 1)),
    shift: Int32Array.from(low, (s, k) => (exact[k] ? s - 33 : ROW_BY_ROW)),
    spread: Int32Array.from(low, (s, k) => (exact[k] ? high[k] - s : 0)),
  };
}

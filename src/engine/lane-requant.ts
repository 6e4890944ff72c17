/**
 * The lane form of a tensor's requantization multipliers and shifts (assembly/requant-lanes.ts),
 * built once at load per run of groups of four rows: with it `requantize` and `intGruGates`
 * requantize four rows per SIMD step, bit for bit as docs/integer.md's per-row `rq(acc, m, s)`,
 * since the run's per-row shifts become one shift per run and per-row powers of two. A group whose
 * shifts do not allow it runs row by row, as do the last rows % 4: an outlier row no longer costs
 * the whole tensor.
 */

/** The lane fields of an IntDenseParams / IntGruParams record (assembly/int-params.ts). */
export interface LaneRequant {
  /**
   * i32 per row: 2^(S_max − s) over its run (1 for a row with m = 0, whose term is 0 whatever its
   * shift, and for a row that runs row by row).
   */
  pow: Int32Array;
  /**
   * Runs of groups covering units 0 … 4·⌊units/4⌋ − 1, i32 each: the unit where the run ends, then
   * per gate its laneShift S_min − 33 (−1, ROW_BY_ROW: the run's rows run row by row) and its
   * laneSpread S_max − S_min.
   */
  runs: Int32Array;
}

/** A run's laneShift where its shifts have no exact lane form. */
const ROW_BY_ROW = -1;

/**
 * The lane form of `multiplier` and `shift` (equal lengths, one row each; gates of `units` rows: a
 * dense layer's tensors with units = rows, or a GRU's six gates together with units = hidden). Each
 * gate's rows form groups of four units (a gate's last units % 4 rows belong to none); the groups
 * of units 4g … 4g + 3, which the GRU steps through all gates at once, take the form together,
 * where in every gate it is exact over their rows (requant-lanes.ts's bounds: no row with m ≠ 0 and
 * s < 33, shifts spread over at most S_min − 33), else they run row by row. Consecutive groups form
 * one run, with one laneShift and laneSpread per gate, as far as the bounds hold over their rows
 * together: the kernels keep those in locals over a run. Null where no group has the form.
 */
export function laneRequant(multiplier: Int32Array, shift: Int32Array, units = multiplier.length): LaneRequant | null {
  const gates = multiplier.length / units;
  const groups = Math.floor(units / 4);
  // Per gate and group, the lowest and highest shift of its rows with m ≠ 0 (±Infinity where none).
  const low = new Array<number>(gates * groups).fill(Infinity);
  const high = new Array<number>(gates * groups).fill(-Infinity);
  shift.forEach((s, r) => {
    const j = r % units;
    const k = Math.floor(r / units) * groups + (j >> 2);
    if (multiplier[r] === 0 || j >= 4 * groups) return;
    low[k] = Math.min(low[k], s);
    high[k] = Math.max(high[k], s);
  });
  type Bounds = [number, number][]; // per gate [S_min, S_max]
  const group = (g: number): Bounds => Array.from({ length: gates }, (_, k) => [low[k * groups + g], high[k * groups + g]]);
  const merge = (a: Bounds, b: Bounds): Bounds => a.map(([lo, hi], k) => [Math.min(lo, b[k][0]), Math.max(hi, b[k][1])]);
  const exact = (b: Bounds): boolean => b.every(([lo, hi]) => lo === Infinity || (lo >= 33 && hi - lo <= lo - 33));
  const pow = new Int32Array(shift.length).fill(1);
  const runs: number[] = [];
  let lanes = false;
  for (let g0 = 0, g1 = 1; g0 < groups; g0 = g1, g1 = g0 + 1) {
    // A run: groups g0 … g1 − 1 with one exact form together, or consecutive groups with none.
    let bounds = group(g0);
    const lane = exact(bounds);
    for (; g1 < groups; g1++) {
      const next = merge(bounds, group(g1));
      if (lane ? !exact(next) : exact(group(g1))) break;
      bounds = next;
    }
    const fields = lane ? bounds.map(([lo, hi]) => (lo === Infinity ? [0, 0] : [lo - 33, hi - lo]))
      : new Array<number[]>(gates).fill([ROW_BY_ROW, 0]);
    runs.push(4 * g1, ...fields.flat());
    if (!lane) continue;
    bounds.forEach(([, hi], k) => {
      for (let r = k * units + 4 * g0; r < k * units + 4 * g1; r++) if (multiplier[r] !== 0) pow[r] = 2 ** (hi - shift[r]);
    });
    lanes = true;
  }
  return lanes ? { pow, runs: Int32Array.from(runs) } : null;
}

// docs/integer.md's requantization rq(acc, m, s) = rshift(acc · m, s) four rows at a time, bit for
// bit. WASM SIMD has no per-lane shift, so the engine rewrites a tensor's per-row shifts at load
// (src/engine/lane-requant.ts) into a "lane form" per run of groups of four rows (a GRU: of four
// units, per gate): for the run's shifts S_min ≤ s ≤ S_max (rows with m = 0 left out), laneShift =
// S_min − 33, laneSpread D = S_max − S_min and lanePow[r] = 2^(S_max − s[r]). A run has it only
// where S_min ≥ 33 and D ≤ S_min − 33 (a GRU's: in every gate), else laneShift = −1 and its rows run
// row by row; then, for any int32 acc (e = s − 32 ≥ 1):
//   h = ⌊acc·m / 2^32⌋ (the high words of i64x2.extmul; |acc·m| < 2^62, so |h| ≤ 2^30)
//   rq = ⌊(h + 2^(e−1)) / 2^e⌋              (2^(s−1) is a multiple of 2^32)
//      = ⌊(⌊h / 2^(e−1)⌋ + 1) / 2⌋
//      = ⌊(⌊h / 2^laneShift⌋ · lanePow + 2^D) / 2^(D+1)⌋   (e − 1 = laneShift + D − log2 lanePow)
// where every step is an i32 lane operation that cannot overflow: |⌊h / 2^laneShift⌋ · lanePow| ≤
// 2^(30 − laneShift + D) ≤ 2^30. A row with m = 0 gives 0 for any lanePow. Results are below 2^30
// in magnitude, so a GRU's sum of two still fits i32. The bounds hold per run: each run's rows need
// only their own S_min and D, so runs of one tensor may differ in both. A kernel keeps a run's
// laneShift and laneSpread in locals (loading them per group of four costs as much as the SIMD work).

/** rq of the four rows at byte offset `o` of acc, multipliers and lanePow, in their group's lane form above. */
@inline export function rqLanes(acc: usize, mul: usize, pow: usize, o: usize, laneShift: i32, spread: i32): v128 {
  const a = v128.load(acc + o);
  const m = v128.load(mul + o);
  const high = v128.shuffle<i32>(i64x2.extmul_low_i32x4_s(a, m), i64x2.extmul_high_i32x4_s(a, m), 1, 3, 5, 7);
  const scaled = i32x4.mul(i32x4.shr_s(high, laneShift), v128.load(pow + o));
  return i32x4.shr_s(i32x4.add(scaled, i32x4.splat(1 << spread)), spread + 1);
}

/** sat_B per lane: clamps to [−(2^(bits−1) − 1), 2^(bits−1) − 1]. */
@inline export function satLanes(v: v128, bits: i32): v128 {
  const top = (1 << (bits - 1)) - 1;
  return i32x4.min_s(i32x4.max_s(v, i32x4.splat(-top)), i32x4.splat(top));
}

/** rshift(v, k) per lane for k ≥ 1, where v + 2^(k−1) fits i32. */
@inline export function rshiftLanes(v: v128, k: i32): v128 {
  return i32x4.shr_s(i32x4.add(v, i32x4.splat(1 << (k - 1))), k);
}

/** Table entries (int-tables.ts's `lookup`) of four P-bit codes: four scalar loads, as WASM has no gather. */
@inline export function lookupLanes(table: usize, p: v128, preBits: i32, tableBits: i32): v128 {
  const index = i32x4.shr_s(i32x4.add(p, i32x4.splat(1 << (preBits - 1))), preBits - tableBits);
  let v = i32x4.splat(load<i32>(table + (<usize>i32x4.extract_lane(index, 0) << 2)));
  v = i32x4.replace_lane(v, 1, load<i32>(table + (<usize>i32x4.extract_lane(index, 1) << 2)));
  v = i32x4.replace_lane(v, 2, load<i32>(table + (<usize>i32x4.extract_lane(index, 2) << 2)));
  return i32x4.replace_lane(v, 3, load<i32>(table + (<usize>i32x4.extract_lane(index, 3) << 2)));
}

/** Stores four i32 lanes (each within i16) as i16 codes at `out`. */
@inline export function storeI16Lanes(out: usize, v: v128): void {
  v128.store64_lane(out, i16x8.narrow_i32x4_s(v, v), 0);
}

// The benchmark's integer compute ceiling: i32x4.dot_i16x8_s + i32x4.add (what intGemv's inner loop
// issues per 8 MACs) on L1-resident data with eight independent accumulators, so neither memory
// nor add latency limits it.

/**
 * Runs `reps` passes over `n` i16 at `ptr` (n a multiple of 64, a few KB); n·reps MACs. Returns
 * a lane sum so the work cannot be optimised away. Counts nothing.
 */
export function intCeilingKernel(ptr: usize, n: i32, reps: i32): i32 {
  const bytes = <usize>(n & ~63) << 1;
  let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
  let a4 = i32x4.splat(0), a5 = i32x4.splat(0), a6 = i32x4.splat(0), a7 = i32x4.splat(0);
  const k = i16x8.splat(3);
  for (let r = 0; r < reps; r++) {
    for (let o: usize = 0; o < bytes; o += 128) {
      const p = ptr + o;
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(p), k));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(p, 16), k));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(p, 32), k));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(p, 48), k));
      a4 = i32x4.add(a4, i32x4.dot_i16x8_s(v128.load(p, 64), k));
      a5 = i32x4.add(a5, i32x4.dot_i16x8_s(v128.load(p, 80), k));
      a6 = i32x4.add(a6, i32x4.dot_i16x8_s(v128.load(p, 96), k));
      a7 = i32x4.add(a7, i32x4.dot_i16x8_s(v128.load(p, 112), k));
    }
  }
  const s = i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7)));
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
}

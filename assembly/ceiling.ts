// The benchmark's measured compute ceiling: f32x4 multiply-adds on L1-resident data with eight
// independent accumulators, so neither memory nor add latency limits it. It uses the build's own
// multiply-add (fused in the relaxed-SIMD build), so each build is measured against its own ceiling.

import { madd4 } from './vector';

/**
 * Runs `reps` passes of multiply-add over `n` f32 at `ptr` (n a multiple of 32, a few KB);
 * n·reps MACs. Returns the sum so the work cannot be optimised away. Counts nothing.
 */
export function ceilingKernel(ptr: usize, n: i32, reps: i32): f32 {
  const bytes = <usize>(n & ~31) << 2;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  const scale = f32x4.splat(0.999);
  for (let r = 0; r < reps; r++) {
    for (let o: usize = 0; o < bytes; o += 128) {
      const p = ptr + o;
      a0 = madd4(v128.load(p), scale, a0);
      a1 = madd4(v128.load(p, 16), scale, a1);
      a2 = madd4(v128.load(p, 32), scale, a2);
      a3 = madd4(v128.load(p, 48), scale, a3);
      a4 = madd4(v128.load(p, 64), scale, a4);
      a5 = madd4(v128.load(p, 80), scale, a5);
      a6 = madd4(v128.load(p, 96), scale, a6);
      a7 = madd4(v128.load(p, 112), scale, a7);
    }
  }
  const sum = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3);
}

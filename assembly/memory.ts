// Bump allocator: every buffer is taken once, at init, and never freed. Kernels never allocate,
// so the JS views over `memory.buffer` only detach while the host is still setting up.

let heapTop: usize = 0;

/**
 * Reserves `bytes` bytes aligned to `align` (a power of two; at least 16 is used) and returns
 * their byte offset, growing memory when needed. The bytes are zero (fresh and never reused).
 * Returns 0 when `align` is not a power of two or memory cannot grow. Call only at init.
 */
export function alloc(bytes: i32, align: i32): usize {
  if (bytes < 0 || align <= 0 || (align & (align - 1)) != 0) return 0;
  if (heapTop == 0) heapTop = (__heap_base + 63) & ~63;
  const mask = <usize>max(align, 16) - 1;
  const ptr = (heapTop + mask) & ~mask;
  const end = ptr + <usize>bytes;
  const have = <usize>memory.size() << 16;
  if (end > have && memory.grow(<i32>((end - have + 0xffff) >>> 16)) < 0) return 0;
  heapTop = end;
  return ptr;
}

/** Reserves `n` zeroed f32 values, 16-byte aligned (internal state of plans and streams). */
export function allocF32(n: i32): usize {
  return alloc(n << 2, 16);
}

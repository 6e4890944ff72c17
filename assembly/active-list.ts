// Lists of the active entries of a u8 mask (channels, rows, columns), gathered without branches:
// a kernel then loops over the list instead of testing the mask per entry, which a mask that
// changes every frame (gate decisions) would mispredict about half of the time.

/** Entries listed per call; longer masks are walked in chunks of this many. */
export const ACTIVE_CHUNK = 4096;
/** The list: i32 indices, written by `listActive`. */
export const activeList = memory.data(ACTIVE_CHUNK * 4, 16);

/** Writes the indices i in [from, to) with mask[i] ≠ 0 (all when mask is 0) to `activeList`; returns their count. */
@inline export function listActive(mask: usize, from: i32, to: i32): i32 {
  let n = 0;
  for (let i = from; i < to; i++) {
    store<i32>(activeList + (<usize>n << 2), i);
    n += mask == 0 || load<u8>(mask + <usize>i) != 0 ? 1 : 0;
  }
  return n;
}

/** The i-th listed index. */
@inline export function listed(i: i32): i32 {
  return load<i32>(activeList + (<usize>i << 2));
}

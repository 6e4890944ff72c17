// Sigmoid and tanh by table (docs/integer.md, "Tables"): a P-bit code reads entry
// (p + 2^(P−1)) >> (P − K) of a 2^K-entry i32 table that the model file carries.

/** Table entry for the P-bit code `p` (the index is always in [0, 2^K − 1] for an in-range code). */
@inline export function lookup(table: usize, p: i32, preBits: i32, tableBits: i32): i32 {
  return load<i32>(table + (<usize>((p + (1 << (preBits - 1))) >> (preBits - tableBits)) << 2));
}

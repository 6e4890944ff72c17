// One step of a gru-int layer (docs/integer.md, "GRU step"): six int32 accumulators per unit from
// two integer GEMVs (input rows ir, iz, in; hidden rows hr, hz, hn), dense (intGemv) or sparse
// (intSparseGemv, docs/sparsity.md), then the gate arithmetic in i64 with the spec's one rounding
// rule, table activations and saturation (intGruGates, shared by both).

import { intGemv } from './int-gemv';
import { IntGruParams } from './int-params';
import { intSparseGemv } from './int-sparse';
import { lookup } from './int-tables';
import { align, rq, rshift, sat } from './requant';

/** Requantized accumulator `k` (0 ir, 1 iz, 2 in, 3 hr, 4 hz, 5 hn) of unit j. */
@inline function term(p: IntGruParams, acc: usize, k: i32, hidden: i32, j: i32): i64 {
  const o = <usize>(k * hidden + j) << 2;
  return rq(load<i32>(acc + o), load<i32>(<usize>p.multiplier + o), load<i32>(<usize>p.shift + o));
}

/**
 * Updates the i16 hidden codes h[hidden] in place from the six accumulators (ir, iz, in, hr, hz, hn,
 * i32[hidden] each) that the GEMVs left in the IntGruParams record's scratch.
 */
export function intGruGates(h: usize, hidden: i32, params: usize): void {
  const p = changetype<IntGruParams>(params);
  const acc = <usize>p.scratch;
  for (let j = 0; j < hidden; j++) {
    const r = lookup(<usize>p.tableR, sat(term(p, acc, 0, hidden, j) + term(p, acc, 3, hidden, j), p.preR), p.preR, p.tableBitsR);
    const z = lookup(<usize>p.tableZ, sat(term(p, acc, 1, hidden, j) + term(p, acc, 4, hidden, j), p.preZ), p.preZ, p.tableBitsZ);
    const g = sat(term(p, acc, 5, hidden, j), p.preN);
    const nPre = sat(term(p, acc, 2, hidden, j) + rshift(<i64>r * <i64>g, p.bitsR - 1), p.preN);
    const n = align(lookup(<usize>p.tableN, nPre, p.preN, p.tableBitsN), p.bitsN, p.bitsH);
    const ho = h + (<usize>j << 1);
    store<i16>(ho, <i16>sat(n + rshift(<i64>z * (<i64>load<i16>(ho) - n), p.bitsZ - 1), p.bitsH));
  }
}

/**
 * Updates the i16 hidden codes h[hidden] in place from the i16 input codes x[inSize]. Wih [3h, in]
 * and Whh [3h, h] are i8 rows (gate order r, z, n), bih and bhh i32 [3h]; `params` is an
 * IntGruParams record. Counts both GEMVs' MACs and weight bytes.
 */
export function intGruStep(
  h: usize, x: usize, Wih: usize, Whh: usize, bih: usize, bhh: usize,
  inSize: i32, hidden: i32, params: usize,
): void {
  const acc = <usize>changetype<IntGruParams>(params).scratch;
  const gates = 3 * hidden;
  intGemv(acc, Wih, x, bih, gates, inSize);
  intGemv(acc + (<usize>gates << 2), Whh, h, bhh, gates, hidden);
  intGruGates(h, hidden, params);
}

/**
 * intGruStep with sparse weights: Wih and Whh point at SparseMatrix records (int-sparse.ts, CSR or
 * 1×16 blocks) of the [3h, in] and [3h, h] matrices. Counts the MACs and bytes the sparse GEMVs
 * executed and read.
 */
export function intGruStepSparse(h: usize, x: usize, Wih: usize, Whh: usize, bih: usize, bhh: usize, hidden: i32, params: usize): void {
  const acc = <usize>changetype<IntGruParams>(params).scratch;
  const gates = 3 * hidden;
  intSparseGemv(acc, Wih, x, bih, gates);
  intSparseGemv(acc + (<usize>gates << 2), Whh, h, bhh, gates);
  intGruGates(h, hidden, params);
}

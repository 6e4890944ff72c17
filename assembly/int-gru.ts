// One step of a gru-int layer (docs/integer.md, "GRU step"): six int32 accumulators per unit from
// two integer GEMVs (input rows ir, iz, in; hidden rows hr, hz, hn), dense (intGemv) or sparse
// (intSparseGemv, docs/sparsity.md), then the gate arithmetic in i64 with the spec's one rounding
// rule, table activations and saturation (intGruGates, shared by both).

import { intGemv } from './int-gemv';
import { IntGruParams } from './int-params';
import { intSparseGemv } from './int-sparse';
import { lookup } from './int-tables';
import { align, rq, rshift, sat } from './requant';
import { lookupLanes, rqLanes, rshiftLanes, satLanes, storeI16Lanes } from './requant-lanes';

/** Requantized accumulator at byte offset `o` of the six [hidden] arrays (acc, multipliers, shifts). */
@inline function term(acc: usize, mul: usize, shift: usize, o: usize): i64 {
  return rq(load<i32>(acc + o), load<i32>(mul + o), load<i32>(shift + o));
}

/**
 * intGruGates for units from … to − 1, one at a time, in i64 (docs/integer.md's GRU step). The
 * record's fields are read once into locals: the loop stores to h, so the compiler cannot keep them
 * itself.
 */
function intGruGatesUnits(h: usize, hidden: i32, from: i32, to: i32, p: IntGruParams): void {
  const acc = <usize>p.scratch, mul = <usize>p.multiplier, shift = <usize>p.shift;
  const tableR = <usize>p.tableR, tableZ = <usize>p.tableZ, tableN = <usize>p.tableN;
  const preR = p.preR, preZ = p.preZ, preN = p.preN;
  const tableBitsR = p.tableBitsR, tableBitsZ = p.tableBitsZ, tableBitsN = p.tableBitsN;
  const bitsR = p.bitsR, bitsZ = p.bitsZ, bitsN = p.bitsN, bitsH = p.bitsH;
  const gate = <usize>hidden << 2; // bytes from one accumulator array to the next
  for (let j = from; j < to; j++) {
    const ir = <usize>j << 2, iz = ir + gate, iN = iz + gate, hr = iN + gate, hz = hr + gate, hn = hz + gate;
    const r = lookup(tableR, sat(term(acc, mul, shift, ir) + term(acc, mul, shift, hr), preR), preR, tableBitsR);
    const z = lookup(tableZ, sat(term(acc, mul, shift, iz) + term(acc, mul, shift, hz), preZ), preZ, tableBitsZ);
    const g = sat(term(acc, mul, shift, hn), preN);
    const nPre = sat(term(acc, mul, shift, iN) + rshift(<i64>r * <i64>g, bitsR - 1), preN);
    const n = align(lookup(tableN, nPre, preN, tableBitsN), bitsN, bitsH);
    const ho = h + (<usize>j << 1);
    store<i16>(ho, <i16>sat(n + rshift(<i64>z * (<i64>load<i16>(ho) - n), bitsZ - 1), bitsH));
  }
}

/**
 * intGruGates for units 0 … 4·⌊hidden/4⌋ − 1 by runs of groups of four units (the record's lanePow ≠
 * 0): four units per SIMD step in the run's lane form of the six gates (requant-lanes.ts, one per
 * gate), unit by unit a run without one; returns the units done. Every step is docs/integer.md's
 * GRU step in i32 lanes, exact because no intermediate can leave i32: each rq term is below 2^30 in
 * magnitude; r·g and z·(h − n') are products of codes of at most 16 bits
 * (|z·(h − n')| ≤ 32767 · 65536 < 2^31 − 2^14). The table lookups stay scalar.
 */
function intGruGatesLanes(h: usize, hidden: i32, p: IntGruParams): i32 {
  const acc = <usize>p.scratch, mul = <usize>p.multiplier, pow = <usize>p.lanePow;
  const tableR = <usize>p.tableR, tableZ = <usize>p.tableZ, tableN = <usize>p.tableN;
  const preR = p.preR, preZ = p.preZ, preN = p.preN;
  const tableBitsR = p.tableBitsR, tableBitsZ = p.tableBitsZ, tableBitsN = p.tableBitsN;
  const bitsR = p.bitsR, bitsZ = p.bitsZ, bitsN = p.bitsN, bitsH = p.bitsH;
  const gate = <usize>hidden << 2;
  const units = hidden & ~3;
  for (let j = 0, run = <usize>p.laneRuns; j < units; run += 52) {
    // The run's end, then laneShift s and laneSpread d of each gate, in the order ir, iz, in, hr, hz, hn.
    const end = load<i32>(run);
    const sIr = load<i32>(run, 4), dIr = load<i32>(run, 8), sIz = load<i32>(run, 12), dIz = load<i32>(run, 16);
    const sIn = load<i32>(run, 20), dIn = load<i32>(run, 24), sHr = load<i32>(run, 28), dHr = load<i32>(run, 32);
    const sHz = load<i32>(run, 36), dHz = load<i32>(run, 40), sHn = load<i32>(run, 44), dHn = load<i32>(run, 48);
    if (sIr < 0) { // the six gates' groups of these units have the form together (lane-requant.ts)
      intGruGatesUnits(h, hidden, j, end, p);
      j = end;
      continue;
    }
    for (; j < end; j += 4) {
      const oIr = <usize>j << 2, oIz = oIr + gate, oIn = oIz + gate, oHr = oIn + gate, oHz = oHr + gate, oHn = oHz + gate;
      const rPre = i32x4.add(rqLanes(acc, mul, pow, oIr, sIr, dIr), rqLanes(acc, mul, pow, oHr, sHr, dHr));
      const zPre = i32x4.add(rqLanes(acc, mul, pow, oIz, sIz, dIz), rqLanes(acc, mul, pow, oHz, sHz, dHz));
      const r = lookupLanes(tableR, satLanes(rPre, preR), preR, tableBitsR);
      const z = lookupLanes(tableZ, satLanes(zPre, preZ), preZ, tableBitsZ);
      const g = satLanes(rqLanes(acc, mul, pow, oHn, sHn, dHn), preN);
      const nPre = i32x4.add(rqLanes(acc, mul, pow, oIn, sIn, dIn), rshiftLanes(i32x4.mul(r, g), bitsR - 1));
      const tanh = lookupLanes(tableN, satLanes(nPre, preN), preN, tableBitsN);
      const n = bitsH >= bitsN ? i32x4.shl(tanh, bitsH - bitsN) : rshiftLanes(tanh, bitsN - bitsH);
      const ho = h + (<usize>j << 1);
      const old = i32x4.extend_low_i16x8_s(v128.load64_zero(ho));
      storeI16Lanes(ho, satLanes(i32x4.add(n, rshiftLanes(i32x4.mul(z, i32x4.sub(old, n)), bitsZ - 1)), bitsH));
    }
  }
  return units;
}

/**
 * Updates the i16 hidden codes h[hidden] in place from the six accumulators (ir, iz, in, hr, hz, hn,
 * i32[hidden] each) that the GEMVs left in the IntGruParams record's scratch: four units per step
 * where the record has the lane form for their group (intGruGatesLanes), the rest unit by unit.
 */
export function intGruGates(h: usize, hidden: i32, params: usize): void {
  const p = changetype<IntGruParams>(params);
  intGruGatesUnits(h, hidden, p.lanePow != 0 ? intGruGatesLanes(h, hidden, p) : 0, hidden, p);
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
 * 4×4 blocks) of the [3h, in] and [3h, h] matrices. Counts the MACs and bytes the sparse GEMVs
 * executed and read.
 */
export function intGruStepSparse(h: usize, x: usize, Wih: usize, Whh: usize, bih: usize, bhh: usize, hidden: i32, params: usize): void {
  const acc = <usize>changetype<IntGruParams>(params).scratch;
  const gates = 3 * hidden;
  intSparseGemv(acc, Wih, x, bih, gates);
  intSparseGemv(acc + (<usize>gates << 2), Whh, h, bhh, gates);
  intGruGates(h, hidden, params);
}

// Parameter records of the integer kernels, written by the host into memory (i32 fields, pointers
// as byte offsets), as program.ts's Step records are. Field order is the layout: field k at byte 4k.

/** A dense-int layer's output step (requantize, intDense). */
@unmanaged export class IntDenseParams {
  /** i32[rows] Q31 multipliers and i32[rows] right shifts. */
  multiplier: i32;
  shift: i32;
  /** 0 none, 1 relu, 2 sigmoid, 3 tanh (as activations.ts). */
  act: i32;
  outBits: i32;
  /** Pre-activation bits P and table bits K (sigmoid, tanh only). */
  preBits: i32;
  tableBits: i32;
  /** i32[2^K] table (sigmoid, tanh only). */
  table: i32;
  /** i32[rows] accumulators (intDense's scratch). */
  scratch: i32;
  /**
   * The lane form of the multipliers and shifts (requant-lanes.ts): i32[rows] powers and its runs of
   * groups of four rows, i32[3] each: end row, laneShift (−1: row by row), laneSpread; or lanePow 0:
   * row by row.
   */
  lanePow: i32;
  laneRuns: i32;
}

/** A gru-int layer (intGruStep). Matrices, biases, multipliers and shifts in the order ir, iz, in, hr, hz, hn. */
@unmanaged export class IntGruParams {
  /** i32[6·hidden] multipliers and shifts. */
  multiplier: i32;
  shift: i32;
  /** i32[2^K] tables of r (sigmoid), z (sigmoid), n (tanh). */
  tableR: i32;
  tableZ: i32;
  tableN: i32;
  /** Pre-activation bits P of r, z, n. */
  preR: i32;
  preZ: i32;
  preN: i32;
  /** Table bits K of r, z, n. */
  tableBitsR: i32;
  tableBitsZ: i32;
  tableBitsN: i32;
  /** Output bits of r, z, n and of the hidden state h. */
  bitsR: i32;
  bitsZ: i32;
  bitsN: i32;
  bitsH: i32;
  /** i32[6·hidden] accumulators. */
  scratch: i32;
  /**
   * The lane form of the six multipliers and shifts, as IntDenseParams's: i32[6·hidden] powers and
   * runs of groups of four units, i32[13] each: end unit, then laneShift and laneSpread per gate.
   */
  lanePow: i32;
  laneRuns: i32;
}

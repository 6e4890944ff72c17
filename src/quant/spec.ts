/**
 * The exporter's float-side helpers of docs/integer.md, ported from training/quant/spec.py with the
 * same float64 operations in the same order, so both give identical codes, scales, multipliers and
 * tables. The integer path never runs these: it reads what they produce from the model file.
 */
import { InvalidOptionError } from '../errors.js';

/** Largest code of a symmetric `bits`-bit quantity, `2^(bits−1) − 1`. */
export function codeMax(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/** `floor(x + 0.5)`: the spec's one rounding rule (half up). */
export function roundHalfUp(x: number): number {
  return Math.floor(x + 0.5);
}

/** Clamps `v` to the symmetric range `[−(2^(bits−1) − 1), 2^(bits−1) − 1]`. */
export function sat(v: number, bits: number): number {
  const top = codeMax(bits);
  return Math.min(top, Math.max(-top, v));
}

/** Python's `round` of a non-negative float: ties to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `math.frexp`: `x = f · 2^k` with `f ∈ [0.5, 1)`, for finite `x > 0`. */
function frexp(x: number): [number, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const biased = (view.getUint16(0) >>> 4) & 0x7ff;
  if (biased === 0) {
    const [f, k] = frexp(x * 2 ** 64); // subnormal: scale into the normal range first
    return [f, k - 64];
  }
  view.setUint16(0, (view.getUint16(0) & 0x800f) | (1022 << 4)); // exponent of [0.5, 1)
  return [view.getFloat64(0), biased - 1022];
}

/**
 * The fixed-point pair `(m, s)` with `m / 2^s ≈ factor` (docs/integer.md, "Requantization
 * multipliers"): `m = round(f · 2^31)` (ties to even) for `factor = f · 2^k`, `s = 31 − k`; a
 * factor below `2^−32` gives `(0, 1)`.
 * @throws InvalidOptionError for a factor that is not positive or is `≥ 2^30`.
 */
export function quantizeMultiplier(factor: number): [number, number] {
  if (!(factor > 0) || !Number.isFinite(factor)) {
    throw new InvalidOptionError(`requantization factor must be a positive number, got ${factor}`);
  }
  let [f, k] = frexp(factor);
  let m = roundHalfEven(f * 2 ** 31);
  if (m === 2 ** 31) [m, k] = [2 ** 30, k + 1];
  const s = 31 - k;
  if (s > 62) return [0, 1];
  if (s < 1) throw new InvalidOptionError(`requantization factor ${factor} ≥ 2^30 cannot be represented`);
  return [m, s];
}

/** Integer codes of a `[rows, cols]` matrix with their per-row scales. */
export interface QuantizedWeight {
  codes: Int8Array;
  /** f32 per row: `max_j |w[r, j]| / (2^(bits−1) − 1)`, 1 for an all-zero row. */
  scales: Float32Array;
}

/** Per-row symmetric `bits`-bit quantization of the row-major `[rows, cols]` matrix `w`. */
export function quantizeWeight(w: ArrayLike<number>, rows: number, cols: number, bits: number): QuantizedWeight {
  const codes = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let peak = 0;
    for (let j = 0; j < cols; j++) peak = Math.max(peak, Math.abs(w[r * cols + j]));
    scales[r] = peak > 0 ? peak / codeMax(bits) : 1;
    for (let j = 0; j < cols; j++) codes[r * cols + j] = sat(roundHalfUp(w[r * cols + j] / scales[r]), bits);
  }
  return { codes, scales };
}

/** Bias codes `sat_bits(round(b[r] / accScale[r]))` at the accumulator scale. */
export function quantizeBias(b: ArrayLike<number>, accScale: ArrayLike<number>, bits: number): Int32Array {
  return Int32Array.from({ length: b.length }, (_, r) => sat(roundHalfUp(b[r] / accScale[r]), bits));
}

/**
 * Saturates each row's bias so that `Σ_j |W[r, j]| · (2^(inBits−1) − 1) + |b[r]| ≤ 2^31 − 1`, the
 * overflow check every reader runs.
 * @throws InvalidOptionError when the weights alone can overflow at this input width.
 */
export function fitBiasToAccumulator(bias: Int32Array, codes: Int8Array, cols: number, inBits: number): Int32Array {
  return bias.map((b, r) => {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.abs(codes[r * cols + j]);
    const room = 2 ** 31 - 1 - sum * codeMax(inBits);
    if (room < 0) {
      throw new InvalidOptionError(`a row of ${cols} weights can overflow int32 at ${inBits}-bit inputs (docs/integer.md)`);
    }
    return Math.min(room, Math.max(-room, b));
  });
}

/**
 * The `2^tableBits`-entry sigmoid or tanh table for `preBits`-bit codes at `preScale`
 * (docs/integer.md, "Tables"): the function at each bucket's centre, rounded half up into the
 * `outBits` output range.
 */
export function buildTable(fn: 'sigmoid' | 'tanh', preBits: number, preScale: number, tableBits: number, outBits: number): Int32Array {
  if (!(tableBits >= 1 && tableBits <= Math.min(preBits, 12))) {
    throw new InvalidOptionError(`table bits ${tableBits} must be in 1…min(pre bits ${preBits}, 12)`);
  }
  const step = 2 ** (preBits - tableBits);
  const centre = tableBits < preBits ? step / 2 : 0;
  const low = fn === 'sigmoid' ? 0 : -codeMax(outBits);
  return Int32Array.from({ length: 2 ** tableBits }, (_, i) => {
    const v = preScale * (i * step - 2 ** (preBits - 1) + centre);
    const f = fn === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : Math.tanh(v);
    return Math.min(codeMax(outBits), Math.max(low, roundHalfUp(f * 2 ** (outBits - 1))));
  });
}

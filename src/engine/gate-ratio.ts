/**
 * The gate ratio r: the run-time knob of a model whose gates decide (docs/model-format.md, "Gate
 * ratio"). Models are trained for r in [0.25, 1] (training/train_fsenet.py, `--ratio-range`); the
 * engine clamps to that range, since the gates were never taught what a lower r means.
 */
export const GATE_RATIO_RANGE = { min: 0.25, max: 1 } as const;

/** `ratio` clamped to `GATE_RATIO_RANGE`. */
export function clampGateRatio(ratio: number): number {
  return Math.min(Math.max(ratio, GATE_RATIO_RANGE.min), GATE_RATIO_RANGE.max);
}

/** A dense layer with a `ratioWeight`, in one state: its bias for the current ratio lives at `effective`. */
export interface RatioBias {
  /** Byte address of the state's `out` f32 effective bias. */
  effective: number;
  bias: Float32Array;
  ratioWeight: Float32Array;
}

/** Writes `bias + ratio · ratioWeight` (f32 arithmetic, as training/gates.py) of each layer into `heap`. */
export function writeRatioBiases(heap: Float32Array, biases: readonly RatioBias[], ratio: number): void {
  const r = Math.fround(ratio);
  for (const { effective, bias, ratioWeight } of biases) {
    const base = effective >>> 2;
    for (let i = 0; i < bias.length; i++) heap[base + i] = bias[i] + Math.fround(r * ratioWeight[i]);
  }
}

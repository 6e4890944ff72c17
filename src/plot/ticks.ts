/** Axis helpers shared by the SVG plots: "nice" tick values (1, 2, 5 × 10^k steps) and padded ranges. */

/** About `count` round tick values covering [low, high], ascending (one value when low = high). */
export function niceTicks(low: number, high: number, count = 6): number[] {
  if (!(high > low)) return [low];
  const rough = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let k = Math.ceil(low / step); k * step <= high + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** [low, high] of `values` widened by `fraction` of the span on each side (±1 around a single value). */
export function paddedRange(values: readonly number[], fraction = 0.05): [number, number] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = high > low ? (high - low) * fraction : 1;
  return [low - pad, high + pad];
}

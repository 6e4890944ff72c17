/** The Pareto front of (model size ↓, quality ↑) points and the knee rule that picks one of them. */

/** A scored configuration: smaller `sizeBytes` and larger `quality` are better. */
export interface SizeQuality {
  sizeBytes: number;
  quality: number;
}

/**
 * The points no other point beats (no larger and at least as good, better in one), by size
 * ascending; of points with equal size and quality, the first.
 */
export function paretoFront<T extends SizeQuality>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => a.sizeBytes - b.sizeBytes || b.quality - a.quality);
  const front: T[] = [];
  for (const p of sorted) {
    if (front.length === 0 || p.quality > front[front.length - 1].quality) front.push(p);
  }
  return front;
}

/**
 * The knee of a front sorted by size: the point farthest above the chord that joins its smallest
 * and its largest point, with both axes scaled to the front's range. The rule needs no threshold,
 * so it means the same whether quality is SI-SDR against clean speech or fidelity to the float
 * model, whose dB scales differ; it picks where more bytes stop buying much quality. When no point
 * lies above the chord (two points, or a front without a bend) it is the best-quality point.
 */
export function kneeIndex(front: readonly SizeQuality[]): number {
  const last = front.length - 1;
  if (last < 0) throw new RangeError('an empty front has no knee');
  const first = front[0];
  const width = front[last].sizeBytes - first.sizeBytes || 1;
  const height = front[last].quality - first.quality || 1;
  let best = last;
  let bestDistance = 0;
  front.forEach((p, i) => {
    const x = (p.sizeBytes - first.sizeBytes) / width;
    const y = (p.quality - first.quality) / height;
    // The chord is y = x in scaled units; the distance above it is (y − x) / √2.
    const distance = (y - x) / Math.SQRT2;
    if (distance > bestDistance) { best = i; bestDistance = distance; }
  });
  return best;
}

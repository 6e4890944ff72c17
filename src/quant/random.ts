/**
 * A small seeded PRNG (mulberry32) whose whole state is one 32-bit integer, so a search can save
 * it and resume with exactly the draws it would have made.
 */
export class SeededRandom {
  /** The generator's state: save it, and pass it to the constructor to continue the sequence. */
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** Uniform integer in [0, below). */
  below(below: number): number {
    return Math.floor(this.next() * below);
  }

  /** One element of `items` (non-empty), uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

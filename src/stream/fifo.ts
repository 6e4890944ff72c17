/** Fixed-capacity ring buffer of samples: the stream's output FIFO (no allocation after construction). */
export class SampleFifo {
  private readonly ring: Float32Array;
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    this.ring = new Float32Array(capacity);
  }

  /** Samples held. */
  get length(): number {
    return this.count;
  }

  /** Empties the FIFO and fills it with `zeros` zero samples (the latency priming). */
  reset(zeros: number): void {
    this.ring.fill(0);
    this.start = 0;
    this.count = zeros;
  }

  /** Appends `n` samples of `source` from index `from`. */
  push(source: Float32Array, from: number, n: number): void {
    const ring = this.ring;
    if (this.count + n > ring.length) {
      throw new RangeError(`output FIFO overflow (${this.count} + ${n} > ${ring.length}): a stream invariant is broken`);
    }
    let w = (this.start + this.count) % ring.length;
    for (let i = 0; i < n; i++) {
      ring[w] = source[from + i];
      w = w + 1 === ring.length ? 0 : w + 1;
    }
    this.count += n;
  }

  /** Removes the oldest `n` samples into `target` from index `at`. */
  pop(target: Float32Array, at: number, n: number): void {
    const ring = this.ring;
    if (n > this.count) {
      throw new RangeError(`output FIFO underrun (${n} > ${this.count}): a stream invariant is broken`);
    }
    let r = this.start;
    for (let i = 0; i < n; i++) {
      target[at + i] = ring[r];
      r = r + 1 === ring.length ? 0 : r + 1;
    }
    this.start = r;
    this.count -= n;
  }
}

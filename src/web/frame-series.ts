/**
 * Per-frame values the worklet collects between two telemetry events (speech probability, gate
 * shares): `width` values per model frame, each the largest any channel reported. Preallocated,
 * so the audio thread allocates only when an event takes the rows.
 */
export class FrameSeries {
  private readonly values: Float32Array;
  /** Frame number of row 0, and how many rows are filled. */
  private base = 0;
  private count = 0;

  /**
   * @param width values per frame
   * @param rows frames between two events at most (later frames are dropped)
   * @param empty a value no channel reported yet (0 for probabilities, NaN for a skipped gate)
   */
  constructor(private readonly width: number, rows: number, private readonly empty: number) {
    this.values = new Float32Array(width * rows).fill(empty);
  }

  /** Records `value` (NaN: nothing to record) for column `column` of frame `frame`. */
  set(frame: number, column: number, value: number): void {
    const row = frame - this.base;
    const at = row * this.width + column;
    if (row < 0 || at >= this.values.length) return;
    this.count = Math.max(this.count, row + 1); // a frame with nothing to record still takes its row
    const old = this.values[at];
    if (Number.isNaN(old) || value > old) this.values[at] = value;
  }

  /** The rows filled since the last take, oldest first (frame-major); the next take starts after them. */
  take(): Float32Array {
    const rows = this.values.slice(0, this.count * this.width);
    this.base += this.count;
    this.count = 0;
    this.values.fill(this.empty);
    return rows;
  }

  /** Starts again at frame 0 (a new stream). */
  reset(): void {
    this.base = 0;
    this.count = 0;
    this.values.fill(this.empty);
  }
}

// Cost telemetry: kernels add the MACs they executed and the weight bytes they read. f64 keeps
// the counts exact far beyond 2^32 (hours of audio).

let macs: f64 = 0;
let weightBytes: f64 = 0;

/** Sets both counters to zero. */
export function resetCounters(): void {
  macs = 0;
  weightBytes = 0;
}

/** Multiply-accumulates executed since the last reset. */
export function macCount(): f64 {
  return macs;
}

/** Weight (and bias) bytes read since the last reset. */
export function weightBytesRead(): f64 {
  return weightBytes;
}

/** Records the work one kernel call did. */
@inline export function countWork(macsDone: f64, bytesRead: f64): void {
  macs += macsDone;
  weightBytes += bytesRead;
}

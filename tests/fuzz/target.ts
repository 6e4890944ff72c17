/**
 * What a fuzz target provides to the runner: valid seeds to mutate, optional header fields worth
 * setting to edge values, a re-seal step that fixes checksums after mutation, and `run`, which
 * parses and exercises one input. A typed `TinyhushError` (src/errors.ts) thrown by `run` is a
 * clean rejection; anything else (another error, a crash, a hang) is a bug.
 */
export interface FuzzTarget {
  name: string;
  /** Valid inputs to mutate (small: keep each case fast). */
  seeds(): Uint8Array[];
  /** Header fields worth setting to huge/edge values. */
  fields?(bytes: Uint8Array): { offset: number; size: 1 | 2 | 4 | 8 }[];
  /** Fixes up checksums after mutation so deep code is reached. */
  reseal?(bytes: Uint8Array): Uint8Array;
  /** Parses and exercises one input. */
  run(bytes: Uint8Array): Promise<void> | void;
}

/**
 * Removes a denoiser's latency from its output: the output of `process()` starts with
 * `latencySamples` frames of delay, so dropping that many frames and appending `flush()` gives
 * output aligned with, and as long as, the input.
 */

/**
 * Returns a function that passes planar blocks through, minus the first `frames` sample frames
 * over all blocks; it returns `null` for a block that is dropped entirely.
 */
export function trimLead(frames: number): (block: Float32Array[]) => Float32Array[] | null {
  let left = frames;
  return (block) => {
    const drop = Math.min(left, block[0].length);
    left -= drop;
    if (drop === block[0].length) return null;
    return drop > 0 ? block.map((channel) => channel.subarray(drop)) : block;
  };
}

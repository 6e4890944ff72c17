/** Whole in-memory audio through one denoiser stream, with its latency removed. */
import type { Denoiser } from '../denoiser.js';
import { trimLead } from './trim-lead.js';

/**
 * Denoises whole planar audio with `denoiser` (one stream of `channels.length` channels, then
 * flushed, which resets it): the result is as long as the input and aligned with it.
 */
export function denoiseAudio(denoiser: Denoiser, channels: Float32Array[]): Float32Array[] {
  const trim = trimLead(denoiser.latencySamples);
  const blocks = [trim(denoiser.process(channels)), trim(denoiser.flush())].filter((b) => b !== null);
  return channels.map((input, c) => {
    const out = new Float32Array(input.length);
    let at = 0;
    for (const block of blocks) {
      out.set(block[c].subarray(0, input.length - at), at);
      at += Math.min(block[c].length, input.length - at);
    }
    return out;
  });
}

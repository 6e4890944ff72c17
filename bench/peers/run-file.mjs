/**
 * Runs one peer over a whole 16 kHz signal the way the quality section needs it: resampled to the
 * peer's rate, scaled to its input range, fresh state, trailing zeros so its delay drains, and the
 * output shifted back by the delay so that sample n of the result is the enhanced input sample n.
 */
import { resample } from '../lib/resample.mjs';

const EVAL_RATE = 16000;

/**
 * Splits `signal` (already at the peer's rate and scale) into frames, with `delaySamples` zeros
 * appended and the last frame zero-padded.
 * @returns {Float32Array[]} views into one padded buffer
 */
export function framesFor(peer, signal) {
  const frameCount = Math.ceil((signal.length + peer.delaySamples) / peer.frameSize);
  const padded = new Float32Array(frameCount * peer.frameSize);
  padded.set(signal);
  return Array.from({ length: frameCount }, (_, f) => padded.subarray(f * peer.frameSize, (f + 1) * peer.frameSize));
}

/** The peer's 16 kHz input converted to its native rate and scale. */
export function toPeerInput(peer, input16k) {
  const native = resample(input16k, EVAL_RATE, peer.sampleRate);
  if (peer.inputScale !== 1) for (let i = 0; i < native.length; i++) native[i] *= peer.inputScale;
  return native;
}

/**
 * Denoises a whole 16 kHz signal with a fresh instance of `peer`.
 * @param {import('./peer.js').Peer} peer
 * @param {Float32Array} input16k samples in [−1, 1]
 * @returns {Promise<Float32Array>} same length as the input, aligned with it, in [−1, 1] scale
 */
export async function denoiseWithPeer(peer, input16k) {
  const native = toPeerInput(peer, input16k);
  const frames = framesFor(peer, native);
  const output = new Float32Array(frames.length * peer.frameSize);
  const instance = await peer.create();
  try {
    for (let f = 0; f < frames.length; f++) output.set(await instance.processFrame(frames[f]), f * peer.frameSize);
  } finally {
    await instance.dispose();
  }
  const aligned = output.subarray(peer.delaySamples, peer.delaySamples + native.length);
  if (peer.inputScale !== 1) for (let i = 0; i < aligned.length; i++) aligned[i] /= peer.inputScale;
  // ceil(ceil(n·r) / r) = n for the integer ratios used here, so the length comes back exact.
  return resample(aligned, peer.sampleRate, EVAL_RATE);
}

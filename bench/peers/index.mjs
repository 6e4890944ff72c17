/** Every peer the benchmark compares tinyhush with, in table order. */
import rnnoiseJitsi from './jitsi-rnnoise.mjs';
import rnnoiseSimd from './rnnoise-simd.mjs';
import gtcrn from './gtcrn.mjs';
import dtln from './dtln.mjs';

/** @type {import('./peer.js').Peer[]} */
export const peers = [rnnoiseJitsi, rnnoiseSimd, gtcrn, dtln];

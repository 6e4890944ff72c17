/**
 * RNNoise as shipped by Jitsi (`@jitsi/rnnoise-wasm`, sync build: wasm inlined, no SIMD).
 * The Emscripten module processes one 480-sample frame in place on its heap.
 */
import createRnnoiseModuleSync from '@jitsi/rnnoise-wasm/dist/rnnoise-sync.js';

const FRAME = 480;
/** One Emscripten runtime per process; each `create()` makes its own denoiser state in it. */
let runtime;

/** @type {import('./peer.js').Peer} */
export default {
  id: 'rnnoise-jitsi',
  name: 'RNNoise (Jitsi sync build)',
  sampleRate: 48000,
  frameSize: FRAME,
  delaySamples: 960,
  inputScale: 32768,
  // RNNoise 0.2 model (the sync build; Jitsi's README): conv 65×3→128, conv 128×3→384, three
  // GRUs of 384, dense 1536→32. Its GRU weights are block-sparse, so fewer MACs really run.
  macsPerSecond: {
    value: 288e6,
    source: 'estimate, dense equivalent of the RNNoise 0.2 layer sizes × 100 frames/s (weights are sparse: executed MACs are fewer)',
  },
  async create() {
    const module = (runtime ??= createRnnoiseModuleSync());
    const state = module._rnnoise_create(0);
    const frame = module._malloc(FRAME * 4);
    if (!state || !frame) throw new Error('Jitsi RNNoise: could not allocate its state or frame buffer');
    const index = frame >> 2;
    return {
      processFrame(input) {
        // HEAPF32 is replaced when the heap grows, so read it from the module every frame.
        module.HEAPF32.set(input, index);
        module._rnnoise_process_frame(state, frame, frame);
        return module.HEAPF32.slice(index, index + FRAME);
      },
      memoryBytes: () => module.HEAPF32.buffer.byteLength,
      dispose() {
        module._rnnoise_destroy(state);
        module._free(frame);
      },
    };
  },
};
